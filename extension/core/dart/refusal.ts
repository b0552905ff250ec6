/**
 * Why a VM service refused our WebSocket upgrade, in words a user can act on. A wrong or stale
 * auth token gets 403/404; a VM whose service a Dart Development Service (DDS) has taken over
 * also answers 403, but its body names the DDS URI to use instead — so the body is read.
 */

/** What the refusal means: the message to show, and the DDS URI when the VM named one. */
export interface Refusal {
  status: number;
  message: string;
  ddsUri: string | null;
}

/** The VM's wording (runtime/vm/service): "… (DDS) instance has taken control and can be found at URI." */
const ddsMention = /Dart Development Service|\bDDS\b/;
const firstUrl = /\b(?:https?|wss?):\/\/[^\s"'<>]+/;

/** The DDS URI in a refusal body, without the sentence's closing punctuation; null when none. */
export function ddsUriIn(body: string): string | null {
  if (!ddsMention.test(body)) return null;
  const m = firstUrl.exec(body.slice(body.search(ddsMention)));
  return m ? m[0].replace(/[.,;:)\]]+$/, '') : null;
}

/** Describes an HTTP answer other than 101 to the upgrade of `wsUri`. */
export function describeRefusal(wsUri: string, status: number, body: string): Refusal {
  const ddsUri = ddsUriIn(body);
  if (ddsUri !== null) {
    return {
      status,
      ddsUri,
      message:
        `The VM service at ${wsUri} refused the connection (HTTP ${status}) because a Dart Development ` +
        `Service (DDS) has taken control of it; connect to the DDS instead: ${ddsUri}`,
    };
  }
  const hint =
    status === 403 || status === 404 || status === 401
      ? ' The auth token in the URI is probably wrong or stale: copy the URI the app printed most recently.'
      : '';
  return {
    status,
    ddsUri: null,
    message: `The VM service at ${wsUri} refused the connection (HTTP ${status}).${hint}`,
  };
}
