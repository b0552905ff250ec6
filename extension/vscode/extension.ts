/**
 * Isoscope's VS Code entry point. One extension scope owns every registration; connections (Dart
 * VMs, the inspector panel) have their own scopes inside. `activate` shows and rethrows failures.
 */
import * as vscode from 'vscode';
import { SourcePaths } from '../language-server/source-paths';
import type { IsoscopeApi } from './api';
import { connectDartCommand, DartSessions } from './dart-sessions';
import { AgentDebugConfigurationProvider, NODE_DEBUG_TYPES } from './debug-config-provider';
import { DisposableList } from './disposable-list';
import { registerExitedDecoration } from './exited-decoration';
import { InspectorPanelHost, openLocation } from './inspector-panel';
import { IsolateTreeProvider } from './isolate-tree';
import { IsoscopeRuntime } from './isoscope-runtime';
import { startLanguageClient } from './language-client';
import { createLog, describeError, type ExtensionLog } from './output';
import { profileNodeProgram, type ProfileNodeArgs } from './profile-node-command';
import { RuntimeDiagnostics } from './runtime-diagnostics';
import { onDidChangeSettings, readSettings } from './settings';
import { IsoscopeStatusBar } from './status-bar';
import { TerminalProfiling, toggleTerminalProfiling } from './terminal-profiling';

const VIEW_ID = 'isoscope.isolates';
const VIEW_REFRESH_MS = 250;
let extensionScope: DisposableList | null = null;

/** Activates Isoscope; returns the API the tests use. */
export async function activate(context: vscode.ExtensionContext): Promise<IsoscopeApi> {
  const log = createLog();
  try {
    return setUp(context, log);
  } catch (err) {
    log.error('activation failed', err);
    void vscode.window.showErrorMessage(`Isoscope failed to start: ${describeError(err)}. See the Isoscope output.`);
    log.dispose();
    throw err;
  }
}

function setUp(context: vscode.ExtensionContext, log: ExtensionLog): IsoscopeApi {
  const scope = new DisposableList((err) => log.error('disposing', err));
  extensionScope = scope;
  scope.add(log);
  const agentPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'agent.cjs').fsPath;
  const runtime = scope.add(new IsoscopeRuntime(agentPath, readSettings, log));
  const model = runtime.model;
  // Findings name files by path, file: URL or (Dart) package: URI.
  const sourcePaths = new SourcePaths(() => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath));

  const dart = scope.add(new DartSessions(model, log));
  const treeProvider = scope.add(new IsolateTreeProvider(model, dart));
  scope.add(vscode.window.createTreeView(VIEW_ID, { treeDataProvider: treeProvider, showCollapseAll: true }));
  scope.add(registerExitedDecoration());
  const inspector = scope.add(new InspectorPanelHost(context.extensionUri, model, log, sourcePaths));
  const statusBar = scope.add(new IsoscopeStatusBar('isoscope.showInspector'));

  const runtimeDiagnostics = scope.add(new RuntimeDiagnostics(sourcePaths));
  void runtimeDiagnostics.start(
    () => startLanguageClient(context, log, { oversizedBytes: readSettings().oversizedMessageBytes }),
    log,
  );

  // Status bar and diagnostics follow the model at most 4×/s from one snapshot.
  let refreshTimer: NodeJS.Timeout | null = null;
  scope.onDispose(() => refreshTimer && clearTimeout(refreshTimer));
  scope.add(
    model.onDidChange(() => {
      if (refreshTimer) return;
      refreshTimer = setTimeout(() => {
        refreshTimer = null;
        const snapshot = model.snapshot();
        const running = snapshot.isolates.filter((i) => i.state === 'running').length;
        statusBar.update(running, snapshot.findings.length);
        runtimeDiagnostics.update(snapshot.findings);
      }, VIEW_REFRESH_MS);
    }),
  );

  const terminalProfiling = new TerminalProfiling(context.environmentVariableCollection, runtime, log);
  let terminalSettled: Promise<void> = Promise.resolve();
  const applyTerminalSetting = () => {
    terminalSettled = terminalProfiling.apply(readSettings().profileTerminals).catch((err: unknown) => {
      log.error('terminal profiling could not be set up', err);
      void vscode.window.showErrorMessage(`Isoscope could not profile terminals: ${describeError(err)}`);
    });
  };
  applyTerminalSetting();
  scope.add(onDidChangeSettings(applyTerminalSetting));
  // A new collector port applies to a running collector too, when no program would lose it.
  let collectorMoved: Promise<void> = Promise.resolve();
  let busyNoticeFor: number | null = null;
  scope.add(
    onDidChangeSettings(() => {
      collectorMoved = collectorMoved
        .then(() => runtime.followPortSetting())
        .then(
          async (outcome) => {
            if (outcome === 'moved') {
              // New terminals must reach the collector at its new address.
              applyTerminalSetting();
              log.info(`collector moved to ${(await runtime.endpoint()).collectorUrl}`);
            } else if (outcome === 'busy' && busyNoticeFor !== readSettings().collectorPort) {
              busyNoticeFor = readSettings().collectorPort;
              void vscode.window.showInformationMessage(
                'Isoscope keeps its collector on the current port while profiled programs are connected to it. ' +
                  'The new isoscope.collectorPort applies after Developer: Reload Window, or when you change the setting again once they have ended.',
              );
            }
          },
          (err: unknown) => {
            log.error('the collector could not move to the new port', err);
            void vscode.window.showErrorMessage(describeError(err));
          },
        );
    }),
  );
  // The threshold applies live: the model re-judges its findings (diagnostics follow through the
  // refresh above), the language server its static ones, and the panel shows the new value.
  scope.add(
    onDidChangeSettings(() => {
      const bytes = readSettings().oversizedMessageBytes;
      if (bytes === model.oversizedBytes) return;
      model.setOversizedBytes(bytes);
      runtimeDiagnostics.setOversizedBytes(bytes);
      inspector.rehydrate();
      log.info(`oversized threshold is now ${bytes} bytes`);
    }),
  );

  const debugConfigurationProvider = new AgentDebugConfigurationProvider(runtime, log);
  for (const type of NODE_DEBUG_TYPES)
    scope.add(vscode.debug.registerDebugConfigurationProvider(type, debugConfigurationProvider));

  const command = (id: string, run: (...args: never[]) => unknown) =>
    scope.add(vscode.commands.registerCommand(id, run as (...args: unknown[]) => unknown));
  command('isoscope.showInspector', (arg?: { isolateId?: unknown }) =>
    inspector.show(typeof arg?.isolateId === 'string' ? arg.isolateId : undefined),
  );
  command('isoscope.profileNodeProgram', (arg?: ProfileNodeArgs) => profileNodeProgram(runtime, log, arg));
  command('isoscope.connectDartVm', (uri?: string) => connectDartCommand(dart, uri));
  command('isoscope.toggleTerminalProfiling', () => toggleTerminalProfiling());
  command('isoscope.clearExited', () => {
    model.clearExited();
    // Dart VMs that failed to attach or went away are rows of their own.
    dart.clearEnded();
  });

  log.info(`Isoscope activated (agent ${agentPath})`);
  return {
    model,
    treeProvider,
    inspector,
    dart,
    runtimeDiagnostics,
    debugConfigurationProvider,
    terminalEnvironment: context.environmentVariableCollection,
    terminalEnvironmentSettled: () => terminalSettled,
    endpoint: () => runtime.endpoint(),
    collectorPortSettled: () => collectorMoved,
    openLocation: (location) => openLocation(location, sourcePaths, log),
  };
}

/** Disposes the extension scope (collector, model, panels, language client). */
export function deactivate(): void {
  extensionScope?.dispose();
  extensionScope = null;
}
