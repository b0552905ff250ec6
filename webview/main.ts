/**
 * Inspector entry: picks the host transport from the page (VS Code webview API, or the WebSocket
 * URL the CLI server put in `data-ws-url`) and starts the app. No inline script: the page's CSP
 * allows only this nonce'd bundle.
 */
import { InspectorApp } from './app';
import { createVsCodeTransport, hasVsCodeApi } from './transport-vscode';
import { createWebSocketTransport } from './transport-websocket';

function start(): void {
  const root = document.getElementById('app');
  if (!root) return;
  const body = document.body;
  const transport =
    body.dataset.transport === 'vscode' || hasVsCodeApi()
      ? createVsCodeTransport()
      : createWebSocketTransport(body.dataset.wsUrl ?? `ws://${location.host}/ws`);
  body.classList.add(`host-${transport.kind}`);
  const app = new InspectorApp(root, transport);
  app.perf.includeLayout = new URLSearchParams(location.search).has('perf');
  // Diagnostics handle for tests and benchmarks (read-only figures, no way to inject data).
  (window as unknown as { isoscope: unknown }).isoscope = {
    diagnostics: () => app.diagnostics(),
    renderDurationsMs: (since?: number) => app.perf.durations(since ?? 0),
    renderCount: () => app.perf.renders,
  };
}

start();
