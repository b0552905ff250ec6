/**
 * Agent settings. The main thread reads them from the environment; workers get the main
 * thread's copy through `worker_threads` environment data, because an app may start a worker
 * with `env: {}` and the worker would otherwise see none of the ISOSCOPE_* variables.
 */

/** Settings every thread of the agent shares. */
export interface AgentConfig {
  collectorUrl: string | null;
  token: string | null;
  /** Messages copying at least this many bytes go into the ledger with their call site. */
  notableBytes: number;
  sampleMs: number;
  /**
   * Size every send (ISOSCOPE_SIZE_ALL=1): no sampling of quiet ports (sizing.ts), so a lone
   * oversized message between small ones is always seen. `isoscope run` sets it for a size gate.
   */
  sizeAll: boolean;
  debug: boolean;
  /** Absolute path of dist/agent.cjs, re-added to workers that drop the preload. */
  agentPath: string;
  /** Absolute path of dist/agent-exporter.cjs. */
  exporterPath: string;
}

function positiveInt(raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  return Number.isFinite(n) && n >= min ? Math.floor(n) : fallback;
}

/** Reads the ISOSCOPE_* variables; anything malformed falls back to its default. */
export function configFromEnv(env: NodeJS.ProcessEnv, agentPath: string, exporterPath: string): AgentConfig {
  return {
    collectorUrl: env.ISOSCOPE_COLLECTOR?.trim() || null,
    token: env.ISOSCOPE_TOKEN ?? null,
    notableBytes: positiveInt(env.ISOSCOPE_NOTABLE_BYTES, 65536, 1),
    sampleMs: positiveInt(env.ISOSCOPE_SAMPLE_MS, 250, 10),
    sizeAll: env.ISOSCOPE_SIZE_ALL === '1',
    debug: env.ISOSCOPE_DEBUG === '1',
    agentPath,
    exporterPath,
  };
}
