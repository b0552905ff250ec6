/** Messages between an inspector host (VS Code panel or CLI server) and the inspector UI. */
import type { ModelSnapshot, ModelUpdate, SourceLocation } from './model';

/** Host → webview. */
export type ToWebviewMessage =
  | { type: 'hydrate'; snapshot: ModelSnapshot; host: 'vscode' | 'browser' }
  | { type: 'update'; update: ModelUpdate }
  | { type: 'select-isolate'; isolateId: string }
  | { type: 'status'; text: string; level: 'info' | 'warning' | 'error' };

/** Webview → host. */
export type FromWebviewMessage =
  { type: 'ready' } | { type: 'open-location'; location: SourceLocation } | { type: 'clear-exited' };
