/**
 * VM-service URI normalization. Users paste whatever `dart run --observe`, `flutter run` or
 * DevTools printed: `http://127.0.0.1:PORT/TOKEN=/`, `ws://127.0.0.1:PORT/TOKEN=/ws`, the
 * https/wss variants, with or without a trailing slash, or a DevTools link carrying `?uri=` —
 * often with the words around it ("A Dart VM Service on Pixel is available at: http://…") or in
 * quotes or angle brackets, so the first URL in the text is taken.
 * The VM only speaks JSON-RPC over the WebSocket form, so everything becomes `ws(s)://…/ws`.
 */

/** Thrown when a string cannot be a VM-service URI; the message says what to paste instead. */
export class VmServiceUriError extends Error {
  override name = 'VmServiceUriError';
}

const schemeToWs: Record<string, string> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };

/** An http(s)/ws(s) URL inside other text: up to whitespace, a quote or an angle bracket. */
const urlInText = /\b(?:https?|wss?):\/\/[^\s"'<>`]+/i;

/** The text itself when it is a URL, else the first http(s)/ws(s) URL in it (sentence punctuation dropped). */
function uriIn(text: string): string {
  // Only a whole text that is a web URL is taken as is: `flutter: The Dart VM service is
  // listening on http://…` parses as a URL with the scheme `flutter:`.
  if (/^(?:https?|wss?):/i.test(text) && URL.canParse(text)) return text;
  const found = urlInText.exec(text);
  return found ? found[0].replace(/[.,;:)\]]+$/, '') : text;
}

/** Turns any accepted form into the WebSocket URI (`ws://host:port/TOKEN=/ws`). */
export function normalizeVmServiceUri(input: string): string {
  const text = uriIn(input.trim());
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new VmServiceUriError(
      `'${text}' is not a VM service URI. Paste the one the app printed, e.g. http://127.0.0.1:8181/AbCdEf12=/`,
    );
  }
  // DevTools links carry the real VM-service URI in a `uri` query parameter (also after `#/`).
  const embedded = url.searchParams.get('uri') ?? new URLSearchParams(url.hash.split('?')[1] ?? '').get('uri');
  if (embedded && embedded !== text) return normalizeVmServiceUri(embedded);

  const wsScheme = schemeToWs[url.protocol];
  if (!wsScheme) {
    throw new VmServiceUriError(`'${text}' uses ${url.protocol}; a VM service URI starts with http(s):// or ws(s)://`);
  }
  if (!url.port && url.hostname === '') {
    throw new VmServiceUriError(`'${text}' has no host; expected something like http://127.0.0.1:8181/TOKEN=/`);
  }
  // Keep the auth-token segment(s), drop trailing slashes and an existing `ws` segment, then add `/ws`.
  const segments = url.pathname.split('/').filter((s) => s.length > 0);
  if (segments[segments.length - 1] === 'ws') segments.pop();
  const path = `/${[...segments, 'ws'].join('/')}`;
  return `${wsScheme}//${url.host}${path}`;
}

/** The http(s) form of a VM-service URI, as Dart tools print it (for messages and reports). */
export function vmServiceHttpUri(input: string): string {
  const ws = new URL(normalizeVmServiceUri(input));
  const segments = ws.pathname.split('/').filter((s) => s.length > 0);
  segments.pop();
  const scheme = ws.protocol === 'wss:' ? 'https:' : 'http:';
  return `${scheme}//${ws.host}/${segments.map((s) => `${s}/`).join('')}`;
}
