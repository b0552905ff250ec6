/**
 * One agent's WebSocket connection: hello first, then batches, then bye. Every frame is validated
 * before the model sees it; bad frames are counted and, past a limit, the connection is closed.
 * Nothing a peer sends can throw out of here.
 */
import type { WebSocket, RawData } from 'ws';
import { parseAgentFrame, type AgentFrame, type HelloFrame } from '../../../protocol';
import type { IsolateModel } from '../model/model';
import type { CollectorStats, RejectReason } from './stats';

/** What a connection needs from its collector. */
export interface ConnectionContext {
  model: IsolateModel;
  stats: CollectorStats;
  /**
   * Picks a session id for a hello and reserves it: the id this process had before when it
   * reconnects (same pid and start time), else one no other process has had.
   */
  claimSession(hello: HelloFrame): string;
  /** Releases a session id claimed for this connection. */
  releaseSession(id: string): void;
  maxBadFrames: number;
  helloTimeoutMs: number;
  log(message: string): void;
}

/** WebSocket close codes used by the collector. */
export const CLOSE = { policy: 1008, protocol: 1002, tooBig: 1009, goingAway: 1001 } as const;

/** Close reasons are limited to 123 bytes by the WebSocket spec. */
function reasonText(text: string): string {
  return Buffer.byteLength(text) <= 123 ? text : `${Buffer.from(text).subarray(0, 120).toString('utf8')}…`;
}

function rawToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Wires one accepted agent socket to the model. */
export function handleAgentConnection(ws: WebSocket, ctx: ConnectionContext): void {
  let sessionId: string | null = null;
  let saidBye = false;
  let badFrames = 0;
  const helloTimer = setTimeout(() => {
    ctx.stats.connectionsRefused['hello-timeout']++;
    kick(CLOSE.policy, `no hello frame within ${ctx.helloTimeoutMs} ms`);
  }, ctx.helloTimeoutMs);
  helloTimer.unref();

  function kick(code: number, why: string): void {
    ctx.stats.connectionsKicked++;
    ctx.log(`collector: closing agent connection: ${why}`);
    ws.close(code, reasonText(why));
  }

  function reject(reason: RejectReason, detail: string): void {
    ctx.stats.framesRejected[reason]++;
    ctx.model.noteRejectedFrame();
    badFrames++;
    if (reason === 'unsupported-version') kick(CLOSE.protocol, `unsupported protocol version: ${detail}`);
    else if (reason === 'not-hello-first') kick(CLOSE.policy, 'the first frame must be hello');
    else if (badFrames >= ctx.maxBadFrames) kick(CLOSE.policy, `too many bad frames (last: ${reason}: ${detail})`);
  }

  function accept(frame: AgentFrame): void {
    switch (frame.type) {
      case 'hello': {
        if (sessionId !== null) return reject('duplicate-hello', 'hello sent twice');
        clearTimeout(helloTimer);
        sessionId = ctx.claimSession(frame);
        ctx.stats.sessionsOpened++;
        const args = frame.argv.slice(1).join(' ');
        ctx.model.openSession({
          id: sessionId,
          runtime: frame.runtime,
          label: `${frame.runtime} ${frame.pid}${args ? ` ${args}` : ''}`.slice(0, 200),
          pid: frame.pid,
          startedAtMs: frame.startedAtMs,
          runtimeVersion: frame.runtimeVersion,
        });
        break;
      }
      case 'batch': {
        if (sessionId === null) return reject('not-hello-first', 'batch before hello');
        ctx.model.noteAgentDropped(frame.droppedRecords);
        for (const record of frame.records) {
          try {
            ctx.model.ingest(sessionId, record);
            ctx.stats.recordsAccepted++;
          } catch (err) {
            // A model bug on one record must not take the connection (or the collector) down.
            ctx.log(`collector: record refused by the model: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        break;
      }
      case 'bye': {
        if (sessionId === null) return reject('not-hello-first', 'bye before hello');
        saidBye = true;
        if (frame.channelsNotCounted !== undefined) ctx.model.noteChannelsNotCounted(frame.channelsNotCounted);
        ctx.model.closeSession(sessionId, frame.atMs);
        break;
      }
      default: {
        const never: never = frame;
        return reject('invalid', `unknown frame ${String((never as { type?: unknown }).type)}`);
      }
    }
    ctx.stats.framesAccepted++;
  }

  ws.on('message', (data: RawData, isBinary: boolean) => {
    try {
      if (isBinary) return reject('binary', 'binary frames are not part of the protocol');
      const parsed = parseAgentFrame(rawToText(data));
      if (!parsed.ok) return reject(parsed.reason, parsed.detail);
      accept(parsed.frame);
    } catch (err) {
      // parseAgentFrame never throws; this guards the model calls and keeps the collector up.
      ctx.log(`collector: frame handling failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });

  ws.on('error', (err: Error & { code?: string }) => {
    // ws reports protocol violations here (then closes): count oversized frames as such.
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      ctx.stats.framesRejected['too-large']++;
      ctx.model.noteRejectedFrame();
    }
    ctx.log(`collector: agent socket error: ${err.message}`);
  });

  ws.on('close', () => {
    clearTimeout(helloTimer);
    if (sessionId !== null) {
      // A process that vanished without bye (crash, kill -9) has still ended.
      if (!saidBye) ctx.model.closeSession(sessionId, Date.now());
      ctx.releaseSession(sessionId);
    }
  });
}
