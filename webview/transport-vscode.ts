/** Host transport for the VS Code webview panel: `acquireVsCodeApi()` postMessage + get/setState. */
import type { FromWebviewMessage } from '../protocol';
import type { ConnectionState, HostTransport } from './transport';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** True when running inside a VS Code webview. */
export function hasVsCodeApi(): boolean {
  return typeof (globalThis as { acquireVsCodeApi?: unknown }).acquireVsCodeApi === 'function';
}

/** Creates the VS Code transport; `acquireVsCodeApi` may only be called once per page. */
export function createVsCodeTransport(): HostTransport {
  const api = acquireVsCodeApi();
  return {
    kind: 'vscode',
    post(message: FromWebviewMessage) {
      api.postMessage(message);
    },
    onMessage(listener) {
      // VS Code delivers host messages as window 'message' events with structured-cloned data.
      window.addEventListener('message', (ev: MessageEvent) => listener(ev.data));
    },
    onConnection(listener: (s: ConnectionState) => void) {
      // The panel is connected for as long as it exists.
      listener('open');
    },
    getState: () => api.getState(),
    setState: (s) => api.setState(s),
  };
}
