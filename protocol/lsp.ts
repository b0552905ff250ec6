/**
 * Every custom LSP method Isoscope uses, in one module (STYLE point 6). Each constant says which
 * way it travels. Standard LSP methods (publishDiagnostics, codeAction…) are not repeated here.
 */
import type { Finding } from './model';
import type { Bytes } from './units';

/**
 * `isoscope/runtimeFindings` — client → server **notification**.
 * The extension pushes the model's current runtime findings (all of them, replacing the previous
 * set). Locations are original source positions (source-mapped TS, not compiled JS), 1-based.
 * The server publishes them as diagnostics with source "isoscope" at those positions and uses
 * their byte counts in the code actions at the same send site.
 */
export const RUNTIME_FINDINGS_METHOD = 'isoscope/runtimeFindings';

/** A runtime finding, optionally naming the receiving port the runtime saw (Dart `ReceivePort` debugName). */
export type RuntimeFinding = Finding & { receivingPortName?: string };

/** Params of {@link RUNTIME_FINDINGS_METHOD}. */
export interface RuntimeFindingsParams {
  findings: RuntimeFinding[];
}

/**
 * `isoscope/settings` — client → server **notification**.
 * Analysis settings the user changed (threshold in bytes); the server re-analyzes open files.
 */
export const SETTINGS_METHOD = 'isoscope/settings';

/** Params of {@link SETTINGS_METHOD}. */
export interface IsoscopeSettingsParams {
  /** Messages below this many copied bytes are not worth a transfer (default 64 KiB). */
  oversizedBytes: Bytes;
}

/**
 * `isoscope/analysisStats` — client → server **request**, answered by the server.
 * How many files the server has analyzed and how long the last analysis took; used by tests and
 * the benchmark to know when the workspace scan is done.
 */
export const ANALYSIS_STATS_METHOD = 'isoscope/analysisStats';

/** Result of {@link ANALYSIS_STATS_METHOD}. */
export interface AnalysisStatsResult {
  filesAnalyzed: number;
  workspaceScanDone: boolean;
  lastAnalysisMs: number;
  runtimeFindings: number;
  /**
   * TS/JS files the TypeScript program is built from now: open files, plus the scanned ones of
   * the batch being analyzed (files that are not open leave it once analyzed).
   */
  programFiles: number;
}
