/**
 * Dart VM attachments: from Dart-Code debug sessions (the `dart.debuggerUris` custom event carries
 * the VM service URI) and from URIs the user pastes. Each attachment is one connection scope,
 * handed to the Dart source (`connectDartVm`), which feeds the shared model.
 */
import * as vscode from 'vscode';
import { connectDartVm, type DartVmHandle } from '../core/dart';
import { DisposableList } from './disposable-list';
import { describeError, type Log } from './output';
import type { IsolateModel } from '../core/model/model';

/** What the Isolates view shows for a Dart VM before/while its isolates arrive. */
export interface DartAttachment {
  key: string;
  label: string;
  uri: string;
  state: 'connecting' | 'connected' | 'disconnected' | 'failed';
  detail: string | null;
  /** The model session of the current connection, once connected. */
  sessionId: string | null;
}

/** Tracks Dart VM attachments; one DisposableList per connection. */
export class DartSessions implements vscode.Disposable {
  private readonly attachments = new Map<string, { info: DartAttachment; scope: DisposableList }>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when an attachment is added, changes state or goes. */
  readonly onDidChange = this.changed.event;
  private readonly scope: DisposableList;

  constructor(
    private readonly model: IsolateModel,
    private readonly log: Log,
  ) {
    this.scope = new DisposableList((err) => log.error('disposing Dart sessions', err));
    this.scope.add(this.changed);
    this.scope.add(
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.event !== 'dart.debuggerUris') return;
        const body = e.body as { vmServiceUri?: unknown; clientVmServiceUri?: unknown } | undefined;
        // clientVmServiceUri is the one reachable from the editor when the app runs remotely.
        const uri = body?.clientVmServiceUri ?? body?.vmServiceUri;
        if (typeof uri !== 'string' || uri === '') {
          this.log.warn(`dart.debuggerUris from "${e.session.name}" had no VM service URI`);
          return;
        }
        void this.attach(uri, e.session.name, `debug:${e.session.id}`);
      }),
    );
    this.scope.add(vscode.debug.onDidTerminateDebugSession((s) => this.detach(`debug:${s.id}`)));
  }

  /** Current attachments, for the tree view. */
  list(): DartAttachment[] {
    return [...this.attachments.values()].map((a) => a.info);
  }

  /** Attaches to a VM service; resolves when connected, rejects with a clear error otherwise. */
  async attach(uri: string, label: string, key = `uri:${uri}`): Promise<void> {
    this.detach(key);
    const scope = new DisposableList((err) => this.log.error(`disposing Dart connection ${label}`, err));
    const info: DartAttachment = { key, label, uri, state: 'connecting', detail: null, sessionId: null };
    this.attachments.set(key, { info, scope });
    this.changed.fire();
    this.log.info(`attaching to Dart VM service ${uri} (${label})`);
    let handle: DartVmHandle;
    try {
      handle = await connectDartVm({ uri, model: this.model, label, log: (m) => this.log.info(`[dart] ${m}`) });
    } catch (err) {
      info.state = 'failed';
      info.detail = describeError(err);
      this.log.error(`could not attach to Dart VM service ${uri}`, err);
      this.changed.fire();
      throw err;
    }
    if (scope.isDisposed) {
      void handle.dispose();
      return;
    }
    scope.onDispose(() => handle.dispose());
    scope.add(
      handle.onDidChangeStatus((status) => {
        info.state = status === 'disposed' ? 'disconnected' : status;
        info.sessionId = handle.sessionId || null;
        this.changed.fire();
      }),
    );
    scope.add(
      handle.onDidDisconnect((reason) => {
        info.detail = reason;
        this.log.info(`Dart VM ${label} disconnected: ${reason}`);
      }),
    );
    info.state = 'connected';
    info.sessionId = handle.sessionId;
    this.changed.fire();
  }

  /** Drops an attachment (its connection scope closes the socket and the model session). */
  detach(key: string): void {
    const existing = this.attachments.get(key);
    if (!existing) return;
    this.attachments.delete(key);
    existing.scope.dispose();
    this.changed.fire();
  }

  /**
   * Drops the attachments that ended: failed to connect, or disconnected (`Clear Exited Isolates`
   * removes them with the exited isolates). Returns how many went.
   */
  clearEnded(): number {
    const ended = [...this.attachments.values()].filter(
      (a) => a.info.state === 'failed' || a.info.state === 'disconnected',
    );
    for (const a of ended) this.detach(a.info.key);
    return ended.length;
  }

  dispose(): void {
    for (const key of [...this.attachments.keys()]) this.detach(key);
    this.scope.dispose();
  }
}

/** `Isoscope: Connect to Dart VM Service…`: takes a URI argument or asks for a pasted one. */
export async function connectDartCommand(dart: DartSessions, uriArg?: unknown): Promise<void> {
  const uri =
    typeof uriArg === 'string'
      ? uriArg
      : await vscode.window.showInputBox({
          title: 'Connect to Dart VM Service',
          prompt: 'Paste the VM service URI your app printed (http://127.0.0.1:PORT/TOKEN=/ or ws://…/ws)',
          placeHolder: 'http://127.0.0.1:8181/AbCdEf12345=/',
          ignoreFocusOut: true,
          validateInput: (v) =>
            /^(https?|wss?):\/\//.test(v.trim()) ? null : 'Expected an http(s):// or ws(s):// URI',
        });
  if (!uri) return;
  try {
    await dart.attach(uri.trim(), `Dart VM ${uri.trim()}`);
  } catch (err) {
    void vscode.window.showErrorMessage(
      `Isoscope could not connect to ${uri.trim()}: ${describeError(err)}. ` +
        'Check that the app is still running and that the URI includes its auth token.',
    );
  }
}
