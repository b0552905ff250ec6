import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, inspectorCsp, renderInspectorHtml } from '../../extension/core/inspector-html';
import { parseFromWebviewMessage } from '../../extension/core/inspector-messages';

/** The CSP from the page's meta tag, with the HTML attribute escaping undone. */
function metaCsp(html: string): string {
  const raw = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  return raw
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

test('the page has a strict CSP: default-src none, one nonce, connect-src limited to the ws URL', () => {
  const html = renderInspectorHtml({
    nonce: 'abc123',
    cspSource: 'http://127.0.0.1:5000',
    scriptUri: '/webview/inspector.js',
    styleUris: ['/webview/codicon.css', '/webview/inspector.css'],
    connectSrc: 'ws://127.0.0.1:5000/ws',
    transport: 'websocket',
    wsUrl: 'ws://127.0.0.1:5000/ws',
  });
  const csp = metaCsp(html);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc123'/);
  assert.match(csp, /connect-src ws:\/\/127\.0\.0\.1:5000\/ws(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script');
  assert.match(html, /<script nonce="abc123" src="\/webview\/inspector\.js"><\/script>/);
  assert.match(html, /data-ws-url="ws:\/\/127\.0\.0\.1:5000\/ws"/);
  assert.doesNotMatch(html, /style=/, 'no inline styles');
});

test('VS Code variant: no connect-src, title escaped', () => {
  const html = renderInspectorHtml({
    nonce: 'n0nce',
    cspSource: 'https://*.vscode-cdn.net',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/x/inspector.js',
    styleUris: [],
    connectSrc: null,
    transport: 'vscode',
    title: '<b>x</b>',
  });
  assert.match(metaCsp(html), /connect-src 'none'/);
  assert.match(html, /<title>&lt;b&gt;x&lt;\/b&gt;<\/title>/);
  assert.match(html, /data-transport="vscode"/);
});

test('values that would break out of the CSP are refused', () => {
  assert.throws(() => inspectorCsp({ nonce: "x'; script-src *", cspSource: 'self', connectSrc: null }), /nonce/);
  assert.throws(() => inspectorCsp({ nonce: 'x', cspSource: 'a;b', connectSrc: null }), /cspSource/);
  assert.equal(escapeHtml(`<a href="x">'&`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
});

test('page → host messages are validated', () => {
  assert.deepEqual(parseFromWebviewMessage('{"type":"ready"}'), { type: 'ready' });
  assert.deepEqual(parseFromWebviewMessage({ type: 'clear-exited' }), { type: 'clear-exited' });
  assert.deepEqual(
    parseFromWebviewMessage({ type: 'open-location', location: { file: '/a.ts', line: 3, column: 1, extra: 1 } }),
    { type: 'open-location', location: { file: '/a.ts', line: 3, column: 1 } },
  );
  assert.equal(parseFromWebviewMessage('not json'), null);
  assert.equal(parseFromWebviewMessage({ type: 'open-location', location: { file: '', line: 1, column: 1 } }), null);
  assert.equal(parseFromWebviewMessage({ type: 'open-location', location: { file: 'a', line: 0, column: 1 } }), null);
  assert.equal(parseFromWebviewMessage({ type: 'rm -rf' }), null);
});
