/**
 * The inspector page's HTML, shared by the VS Code panel and the CLI's browser server. One nonce'd
 * script, styles only from `cspSource`, `default-src 'none'`, and no inline script or style; the
 * transport and WebSocket URL travel as data attributes, not as code.
 */

/** Options of {@link renderInspectorHtml}. */
export interface InspectorHtmlOptions {
  /** Fresh random nonce per page load (base64/alphanumeric). */
  nonce: string;
  /** Origin(s) allowed for styles/fonts/images: `webview.cspSource` in VS Code, the server origin in the browser. */
  cspSource: string;
  /** URL of dist/webview/inspector.js as the page can load it. */
  scriptUri: string;
  /** URLs of the style sheets (codicon.css, inspector.css). */
  styleUris: string[];
  /** The only URL the page may connect to (the WebSocket), or null for none (VS Code). */
  connectSrc: string | null;
  transport: 'vscode' | 'websocket';
  wsUrl?: string;
  title?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for use inside HTML text or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Characters allowed in CSP source expressions we emit; anything else would let a value break out of the policy. */
function cspSafe(value: string, what: string): string {
  if (!/^[A-Za-z0-9+/=:._\-[\]*']+( [A-Za-z0-9+/=:._\-[\]*']+)*$/.test(value)) {
    throw new Error(`renderInspectorHtml: ${what} is not a valid CSP source: ${JSON.stringify(value)}`);
  }
  return value;
}

/** The Content-Security-Policy of the inspector page. */
export function inspectorCsp(opts: Pick<InspectorHtmlOptions, 'nonce' | 'cspSource' | 'connectSrc'>): string {
  const nonce = cspSafe(opts.nonce, 'nonce');
  const src = cspSafe(opts.cspSource, 'cspSource');
  const connect = opts.connectSrc === null ? "'none'" : cspSafe(opts.connectSrc, 'connectSrc');
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${src}`,
    `font-src ${src}`,
    `img-src ${src} data:`,
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Renders the inspector page. */
export function renderInspectorHtml(opts: InspectorHtmlOptions): string {
  // frame-ancestors is ignored in a <meta> CSP, and VS Code frames its webviews: keep it out there.
  const csp = inspectorCsp(opts)
    .split('; ')
    .filter((d) => !d.startsWith('frame-ancestors'))
    .join('; ');
  const styles = opts.styleUris.map((u) => `    <link rel="stylesheet" href="${escapeHtml(u)}">`).join('\n');
  const wsAttr = opts.wsUrl ? ` data-ws-url="${escapeHtml(opts.wsUrl)}"` : '';
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>${escapeHtml(opts.title ?? 'Isoscope inspector')}</title>
${styles}
  </head>
  <body data-transport="${opts.transport}"${wsAttr}>
    <div id="app" role="application" aria-label="Isoscope inspector"></div>
    <script nonce="${escapeHtml(opts.nonce)}" src="${escapeHtml(opts.scriptUri)}"></script>
  </body>
</html>
`;
}
