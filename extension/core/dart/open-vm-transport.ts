/**
 * Opens the WebSocket to a VM service, following a Dart Development Service (DDS) once: when DDS
 * has taken control of the VM, the VM refuses direct connections with 403 and names the DDS URI,
 * which serves the same protocol. A DDS that cannot be reached either is named in the error.
 */
import {
  openWebSocketTransport,
  VmServiceConnectError,
  type VmTransport,
  type WebSocketTransportOptions,
} from './transport';
import { normalizeVmServiceUri, VmServiceUriError } from './uri';

/** The open transport and the URI it was opened at (the DDS one after a redirect). */
export interface OpenedVmTransport {
  transport: VmTransport;
  wsUri: string;
}

/** Opens `wsUri`, or the DDS it names when the VM refuses us because DDS owns it. */
export async function openVmTransport(
  wsUri: string,
  opts: WebSocketTransportOptions,
  log: (message: string) => void,
): Promise<OpenedVmTransport> {
  try {
    return { transport: await openWebSocketTransport(wsUri, opts), wsUri };
  } catch (err) {
    const ddsWsUri = err instanceof VmServiceConnectError ? ddsTarget(err, wsUri) : null;
    if (ddsWsUri === null) throw err;
    const refusal = err as VmServiceConnectError;
    log(
      `the VM service at ${wsUri} is controlled by a Dart Development Service (DDS): connecting to ${refusal.ddsUri}`,
    );
    try {
      return { transport: await openWebSocketTransport(ddsWsUri, opts), wsUri: ddsWsUri };
    } catch (ddsErr) {
      const why = ddsErr instanceof Error ? ddsErr.message : String(ddsErr);
      throw new VmServiceConnectError(
        `${refusal.message}. Connecting to that DDS failed too: ${why}`,
        refusal.httpStatus,
        refusal.ddsUri,
      );
    }
  }
}

/** The normalized DDS URI a refusal names, unless there is none, it is unusable, or it is where we were. */
function ddsTarget(err: VmServiceConnectError, wsUri: string): string | null {
  if (err.ddsUri === null) return null;
  try {
    const target = normalizeVmServiceUri(err.ddsUri);
    return target === wsUri ? null : target;
  } catch (uriErr) {
    if (uriErr instanceof VmServiceUriError) return null;
    throw uriErr;
  }
}
