/**
 * What `activate` returns: handles for other extensions and for the extension-host tests, which
 * drive the real extension through commands and read its state here (no mocks of our parts).
 */
import type * as vscode from 'vscode';
import type { SourceLocation } from '../../protocol';
import type { IsolateModel } from '../core/model/model';
import type { DartSessions } from './dart-sessions';
import type { AgentDebugConfigurationProvider } from './debug-config-provider';
import type { InspectorPanelHost } from './inspector-panel';
import type { IsolateTreeProvider } from './isolate-tree';
import type { AgentEndpoint } from './isoscope-runtime';
import type { RuntimeDiagnostics } from './runtime-diagnostics';

/** The extension's exported API. */
export interface IsoscopeApi {
  readonly model: IsolateModel;
  readonly treeProvider: IsolateTreeProvider;
  readonly inspector: InspectorPanelHost;
  readonly dart: DartSessions;
  readonly runtimeDiagnostics: RuntimeDiagnostics;
  readonly debugConfigurationProvider: AgentDebugConfigurationProvider;
  /** The collection that profiles new terminals (`context.environmentVariableCollection`). */
  readonly terminalEnvironment: vscode.GlobalEnvironmentVariableCollection;
  /** Resolves when the terminal environment matches the current setting. */
  terminalEnvironmentSettled(): Promise<void>;
  /** The collector address agents use (starts the collector if needed). */
  endpoint(): Promise<AgentEndpoint>;
  /** Resolves when the collector follows the current `isoscope.collectorPort`. */
  collectorPortSettled(): Promise<void>;
  /** Opens a finding's location (path, file: URL or Dart package: URI), as the inspector does. */
  openLocation(location: SourceLocation): Promise<vscode.TextEditor | null>;
}
