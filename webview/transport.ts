/**
 * The one interface between the inspector UI and its host. Two implementations: the VS Code
 * webview API (transport-vscode.ts) and a WebSocket to the CLI server (transport-websocket.ts), so
 * the same UI runs in the panel, in the browser, and under Chromium in tests.
 */
import type { FromWebviewMessage } from '../protocol';

/** Connection state shown in the header. */
export type ConnectionState = 'connecting' | 'open' | 'closed';

/** A host the UI talks to. Incoming data is untrusted: the app validates it. */
export interface HostTransport {
  /** Which host this is: decides e.g. what "open location" does. */
  readonly kind: 'vscode' | 'browser';
  /** Sends a message to the host (dropped silently while disconnected). */
  post(message: FromWebviewMessage): void;
  /** Registers the listener for raw incoming messages (a JSON string or an already-parsed value). */
  onMessage(listener: (data: unknown) => void): void;
  /** Registers a listener for connection changes. */
  onConnection(listener: (state: ConnectionState) => void): void;
  /** Small persisted UI state (selection, sort, filter). */
  getState(): unknown;
  /** Persists small UI state. */
  setState(state: unknown): void;
}
