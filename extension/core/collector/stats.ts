/** Counters the collector keeps about what it accepted and refused. */
import type { FrameRejection } from '../../../protocol';

/** Why a frame was refused: the protocol's reasons plus the collector's own. */
export type RejectReason = FrameRejection['reason'] | 'binary' | 'not-hello-first' | 'duplicate-hello';

/** Why an upgrade or connection was refused before any frame. */
export type RefuseReason = 'bad-token' | 'bad-path' | 'too-many-connections' | 'hello-timeout';

/** A snapshot of the collector's counters. */
export interface CollectorStats {
  connectionsAccepted: number;
  connectionsActive: number;
  connectionsRefused: Record<RefuseReason, number>;
  sessionsOpened: number;
  framesAccepted: number;
  framesRejected: Record<RejectReason, number>;
  recordsAccepted: number;
  /** Connections closed by the collector for too many bad frames or a bad hello. */
  connectionsKicked: number;
}

/** Fresh zeroed counters. */
export function emptyStats(): CollectorStats {
  return {
    connectionsAccepted: 0,
    connectionsActive: 0,
    connectionsRefused: { 'bad-token': 0, 'bad-path': 0, 'too-many-connections': 0, 'hello-timeout': 0 },
    sessionsOpened: 0,
    framesAccepted: 0,
    framesRejected: {
      'too-large': 0,
      'not-json': 0,
      invalid: 0,
      'unsupported-version': 0,
      binary: 0,
      'not-hello-first': 0,
      'duplicate-hello': 0,
    },
    recordsAccepted: 0,
    connectionsKicked: 0,
  };
}
