/**
 * The Isolates view: sessions (processes / VMs) with their isolates. Each isolate shows its state,
 * heap and queue depth; exited isolates stay, dimmed, until "Clear Exited". Selecting an isolate
 * opens its page in the inspector. Dart VMs being attached show their connection state.
 */
import * as vscode from 'vscode';
import type { IsolateSnapshot, SessionInfo } from '../../protocol';
import { formatBytes } from '../core/model/format';
import type { IsolateModel } from '../core/model/model';
import type { DartAttachment, DartSessions } from './dart-sessions';
import { exitedIsolateUri } from './exited-decoration';

/** One row of the tree; discriminated by `type`. */
export type IsolateTreeNode =
  | { type: 'session'; session: SessionInfo; isolates: IsolateSnapshot[] }
  | { type: 'isolate'; isolate: IsolateSnapshot }
  | { type: 'dart-attachment'; attachment: DartAttachment };

/** Command an isolate row runs when selected. */
export const SELECT_ISOLATE_COMMAND = 'isoscope.showInspector';

/** Tree data from the shared model, refreshed when the model or the Dart attachments change. */
export class IsolateTreeProvider implements vscode.TreeDataProvider<IsolateTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<IsolateTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: { dispose(): void }[];

  constructor(
    private readonly model: IsolateModel,
    private readonly dart: DartSessions,
  ) {
    this.subscriptions = [
      model.onDidChange(() => this.changed.fire(undefined)),
      dart.onDidChange(() => this.changed.fire(undefined)),
    ];
  }

  /** The top level: sessions, plus Dart attachments that have no model session yet. */
  getChildren(node?: IsolateTreeNode): IsolateTreeNode[] {
    if (node) return node.type === 'session' ? node.isolates.map((isolate) => ({ type: 'isolate', isolate })) : [];
    const snapshot = this.model.snapshot();
    const bySession = new Map<string, IsolateSnapshot[]>();
    for (const isolate of snapshot.isolates) {
      const list = bySession.get(isolate.sessionId) ?? [];
      list.push(isolate);
      bySession.set(isolate.sessionId, list);
    }
    const sessionIds = new Set(snapshot.sessions.map((s) => s.id));
    const pendingDart: IsolateTreeNode[] = this.dart
      .list()
      .filter((a) => a.sessionId === null || !sessionIds.has(a.sessionId))
      .map((attachment) => ({ type: 'dart-attachment', attachment }));
    const sessions: IsolateTreeNode[] = snapshot.sessions.map((session) => ({
      type: 'session',
      session,
      isolates: sortIsolates(bySession.get(session.id) ?? []),
    }));
    return [...sessions, ...pendingDart];
  }

  getTreeItem(node: IsolateTreeNode): vscode.TreeItem {
    switch (node.type) {
      case 'session':
        return sessionItem(node.session, node.isolates);
      case 'isolate':
        return isolateItem(node.isolate);
      case 'dart-attachment':
        return dartItem(node.attachment);
      default:
        return assertNever(node);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function sortIsolates(list: IsolateSnapshot[]): IsolateSnapshot[] {
  // Main first, then running before exited, then by start time: the order threads appeared.
  return [...list].sort(
    (a, b) =>
      Number(b.kind === 'main') - Number(a.kind === 'main') ||
      Number(a.state === 'exited') - Number(b.state === 'exited') ||
      a.startedAtMs - b.startedAtMs,
  );
}

function sessionItem(session: SessionInfo, isolates: IsolateSnapshot[]): vscode.TreeItem {
  const item = new vscode.TreeItem(session.label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `session:${session.id}`;
  const running = isolates.filter((i) => i.state === 'running').length;
  const ended = session.endedAtMs !== null ? ' · ended' : '';
  item.description = `${session.runtime}${session.pid !== null ? ` pid ${session.pid}` : ''} · ${running}/${isolates.length} running${ended}`;
  item.iconPath = new vscode.ThemeIcon(session.runtime === 'dart' ? 'symbol-class' : 'server-process');
  item.tooltip = `${session.label}\n${session.runtime} ${session.runtimeVersion}\nstarted ${new Date(session.startedAtMs).toLocaleTimeString()}`;
  item.contextValue = 'isoscope.session';
  return item;
}

/** The one-line summary the description shows: state, heap, queue depth. */
export function isolateDescription(i: IsolateSnapshot): string {
  const state = i.state === 'exited' ? `exited${i.exitCode !== null ? ` (${i.exitCode})` : ''}` : 'running';
  return `${state} · heap ${formatBytes(i.heapUsedBytes)} · queue ${i.queueDepth}`;
}

function isolateItem(i: IsolateSnapshot): vscode.TreeItem {
  const item = new vscode.TreeItem(i.name, vscode.TreeItemCollapsibleState.None);
  item.id = `isolate:${i.id}`;
  item.description = isolateDescription(i);
  const exited = i.state === 'exited';
  item.iconPath = new vscode.ThemeIcon(
    i.kind === 'main' ? 'home' : exited ? 'circle-outline' : 'circle-filled',
    exited ? new vscode.ThemeColor('disabledForeground') : undefined,
  );
  // The label itself is dimmed through a file decoration on this (otherwise unused) URI.
  if (exited) item.resourceUri = exitedIsolateUri(i.id);
  item.tooltip = isolateTooltip(i);
  item.contextValue = exited ? 'isoscope.isolate.exited' : 'isoscope.isolate';
  item.command = { command: SELECT_ISOLATE_COMMAND, title: 'Show in Inspector', arguments: [{ isolateId: i.id }] };
  return item;
}

/** Plain-text tooltip: runtime strings (names, paths) are never rendered as markdown. */
function isolateTooltip(i: IsolateSnapshot): string {
  const lines = [
    `${i.name} (${i.kind}, ${i.runtime})`,
    `state: ${i.state}${i.exitCode !== null ? `, exit code ${i.exitCode}` : ''}`,
    `heap: ${formatBytes(i.heapUsedBytes)} of ${formatBytes(i.heapCapacityBytes)} (max ${formatBytes(i.heapUsedBytesMax)})`,
    `queue depth: ${i.queueDepth} (max ${i.maxQueueDepth})`,
    `CPU: ${i.cpuTimeMs !== null ? `${Math.round(i.cpuTimeMs)} ms` : 'n/a'}${i.cpuPercent !== null ? `, ${i.cpuPercent.toFixed(0)}% now` : ''}`,
    `messages: ${i.messagesSent} sent, ${i.messagesReceived} received, ${formatBytes(i.bytesCopiedOut)} copied out`,
  ];
  if (i.spawnSite) lines.push(`spawned at ${i.spawnSite.file}:${i.spawnSite.line}`);
  return lines.join('\n');
}

function dartItem(a: DartAttachment): vscode.TreeItem {
  const item = new vscode.TreeItem(a.label, vscode.TreeItemCollapsibleState.None);
  item.id = `dart:${a.key}`;
  item.description = `Dart VM · ${a.state}`;
  const icon = a.state === 'failed' ? 'error' : a.state === 'connecting' ? 'loading~spin' : 'debug-disconnect';
  item.iconPath = new vscode.ThemeIcon(icon);
  item.tooltip = `${a.uri}\n${a.state}${a.detail ? `: ${a.detail}` : ''}`;
  item.contextValue = 'isoscope.dart';
  return item;
}

function assertNever(x: never): never {
  throw new Error(`unexpected tree node ${JSON.stringify(x)}`);
}
