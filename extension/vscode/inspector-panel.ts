/**
 * The inspector as a VS Code webview panel. One panel at a time; it survives reloads through a
 * serializer. Only a visible panel gets data: it is hydrated on `ready` and whenever it becomes
 * visible again, and gets `update`s from `model.updateSince` while it stays visible.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { FromWebviewMessage, SourceLocation, ToWebviewMessage } from '../../protocol';
import { renderInspectorHtml } from '../core/inspector-html';
import { parseFromWebviewMessage } from '../core/inspector-messages';
import type { IsolateModel, UpdateCursor } from '../core/model/model';
import type { SourcePaths } from '../language-server/source-paths';
import { DisposableList } from './disposable-list';
import { describeError, type Log } from './output';

/** The webview type (package.json activation event `onWebviewPanel:isoscope.inspector`). */
export const INSPECTOR_VIEW_TYPE = 'isoscope.inspector';
const UPDATE_INTERVAL_MS = 250;

/** Hosts the single inspector panel. */
export class InspectorPanelHost implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private panelScope: DisposableList | null = null;
  private cursor: UpdateCursor | null = null;
  private pendingIsolate: string | null = null;
  private updateTimer: NodeJS.Timeout | null = null;
  private readonly scope: DisposableList;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly model: IsolateModel,
    private readonly log: Log,
    private readonly paths: SourcePaths,
  ) {
    this.scope = new DisposableList((err) => log.error('disposing the inspector host', err));
    this.scope.add(
      vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.adopt(panel),
      }),
    );
    this.scope.add(model.onDidChange(() => this.scheduleUpdate()));
  }

  /** Whether a panel is open (tests and the status bar read this). */
  get isOpen(): boolean {
    return this.panel !== null;
  }

  /** Opens (or reveals) the panel, optionally on one isolate's page. */
  show(isolateId?: string): void {
    if (isolateId) this.pendingIsolate = isolateId;
    if (this.panel) {
      this.panel.reveal(undefined, false);
      this.flushSelection();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      INSPECTOR_VIEW_TYPE,
      'Isoscope Inspector',
      vscode.ViewColumn.Active,
      this.webviewOptions(),
    );
    this.adopt(panel);
  }

  /** Sends a visible, hydrated panel a fresh snapshot (values that updates don't carry changed). */
  rehydrate(): void {
    if (this.panel?.visible && this.cursor) this.hydrate();
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Hidden panels are re-hydrated when they come back instead of kept alive.
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
    };
  }

  /** Takes over a panel (new, or restored by the serializer after a reload). */
  private adopt(panel: vscode.WebviewPanel): void {
    this.panelScope?.dispose();
    const scope = new DisposableList((err) => this.log.error('disposing the inspector panel', err));
    this.panel = panel;
    this.panelScope = scope;
    this.cursor = null;
    panel.webview.options = this.webviewOptions();
    panel.iconPath = new vscode.ThemeIcon('pulse');
    panel.webview.html = this.html(panel.webview);
    scope.add(panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)));
    scope.add(
      panel.onDidChangeViewState(() => {
        // A hidden panel loses its page (no retained context): it sends `ready` again when shown,
        // and that hydrates it. Until then nothing may be posted to it.
        if (!panel.visible) this.cursor = null;
        else if (this.cursor) this.hydrate();
      }),
    );
    scope.add(
      panel.onDidDispose(() => {
        if (this.panel !== panel) return;
        this.panel = null;
        this.cursor = null;
        this.panelScope = null;
        scope.dispose();
      }),
    );
  }

  private html(webview: vscode.Webview): string {
    const asset = (name: string) =>
      webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    return renderInspectorHtml({
      nonce: randomBytes(18).toString('base64url'),
      cspSource: webview.cspSource,
      scriptUri: asset('inspector.js'),
      styleUris: [asset('codicon.css'), asset('inspector.css')],
      connectSrc: null,
      transport: 'vscode',
    });
  }

  private onMessage(raw: unknown): void {
    const message: FromWebviewMessage | null = parseFromWebviewMessage(raw);
    if (!message) {
      this.log.warn('ignored an invalid message from the inspector webview');
      return;
    }
    switch (message.type) {
      case 'ready':
        this.hydrate();
        return;
      case 'open-location':
        void openLocation(message.location, this.paths, this.log);
        return;
      case 'clear-exited':
        this.model.clearExited();
        return;
      default: {
        const unexpected: never = message;
        this.log.warn(`unhandled inspector message ${JSON.stringify(unexpected)}`);
      }
    }
  }

  private hydrate(): void {
    this.post({ type: 'hydrate', snapshot: this.model.snapshot(), host: 'vscode' });
    this.cursor = this.model.initialCursor();
    this.flushSelection();
  }

  private flushSelection(): void {
    if (!this.pendingIsolate || !this.cursor || !this.panel?.visible) return;
    this.post({ type: 'select-isolate', isolateId: this.pendingIsolate });
    this.pendingIsolate = null;
  }

  private scheduleUpdate(): void {
    if (this.updateTimer || !this.panel?.visible || !this.cursor) return;
    this.updateTimer = setTimeout(() => {
      this.updateTimer = null;
      if (!this.panel?.visible || !this.cursor) return;
      const { update, cursor } = this.model.updateSince(this.cursor);
      this.cursor = cursor;
      this.post({ type: 'update', update });
    }, UPDATE_INTERVAL_MS);
  }

  private post(message: ToWebviewMessage): void {
    this.panel?.webview.postMessage(message).then(
      (delivered) => {
        // Not delivered = the page is reloading; it will send `ready` and get a fresh hydrate.
        if (!delivered && message.type !== 'update') this.cursor = null;
      },
      (err: unknown) => this.log.error('posting to the inspector failed', err),
    );
  }

  dispose(): void {
    if (this.updateTimer) clearTimeout(this.updateTimer);
    this.panelScope?.dispose();
    this.panel?.dispose();
    this.scope.dispose();
  }
}

/**
 * Opens a source location from the inspector (1-based line/column) in an editor. The file may be
 * a path, a `file:` URL or a Dart `package:` URI (resolved through the workspace's package config).
 */
export async function openLocation(
  location: SourceLocation,
  paths: SourcePaths,
  log: Log,
): Promise<vscode.TextEditor | null> {
  const file = paths.toPath(location.file);
  if (file === null) {
    log.warn(`no file on disk for ${location.file}`);
    void vscode.window.showWarningMessage(
      `Isoscope could not open ${location.file}: it names no file on this disk. For a package: URI, run \`dart pub get\` in the workspace so .dart_tool/package_config.json maps it.`,
    );
    return null;
  }
  const uri = vscode.Uri.file(file);
  const position = new vscode.Position(Math.max(0, location.line - 1), Math.max(0, location.column - 1));
  try {
    return await vscode.window.showTextDocument(uri, {
      selection: new vscode.Range(position, position),
      preview: true,
      viewColumn: vscode.ViewColumn.One,
    });
  } catch (err) {
    log.error(`could not open ${location.file}:${location.line}`, err);
    void vscode.window.showWarningMessage(`Isoscope could not open ${location.file}: ${describeError(err)}`);
    return null;
  }
}
