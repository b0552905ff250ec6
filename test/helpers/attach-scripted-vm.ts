/**
 * `connectDartVm` attached to a scripted VM-service peer (spec-derived fixtures over a real
 * socket, NOT a Dart VM) with a fast poll, a real model and the log collected: the set-up of the
 * Dart integration tests.
 */
import { connectDartVm, type ConnectDartVmOptions } from '../../extension/core/dart';
import { IsolateModel } from '../../extension/core/model/model';
import type { IsolateSnapshot } from '../../protocol';
import { startScriptedVmService, type ScriptedVmService, type ScriptedVmServiceOptions } from './scripted-vm-service';
import { waitFor } from './wait-for';

export interface AttachOptions {
  /** Changes the peer's answers before the client attaches. */
  tweak?: ((peer: ScriptedVmService) => void) | undefined;
  /** Options of connectDartVm over the test defaults (20 ms base poll, 100 ms max). */
  extra?: Partial<ConnectDartVmOptions>;
  peer?: ScriptedVmServiceOptions;
}

export async function attachScriptedVm(opts: AttachOptions = {}) {
  const peer = await startScriptedVmService(opts.peer ?? {});
  opts.tweak?.(peer);
  const model = new IsolateModel({ changeDelayMs: 10 });
  const logs: string[] = [];
  const handle = await connectDartVm({
    uri: peer.wsUri,
    model,
    baseIntervalMs: 20,
    maxIntervalMs: 100,
    log: (m) => logs.push(m),
    ...opts.extra,
  });
  const disconnects: string[] = [];
  handle.onDidDisconnect((r) => disconnects.push(r));
  /** This session's isolate of that name. */
  const isolate = (name: string): IsolateSnapshot | undefined =>
    model.snapshot().isolates.find((i) => i.name === name && i.sessionId === handle.sessionId);
  const polls = (n: number) => waitFor(`${n} polls`, () => peer.count('getVM') >= n);
  const done = async (): Promise<void> => {
    await handle.dispose();
    model.dispose();
    await peer.close();
  };
  return { peer, model, handle, logs, disconnects, isolate, polls, done };
}
