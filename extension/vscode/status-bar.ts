/**
 * The status bar item: live isolate count and findings count; clicking opens the inspector.
 */
import * as vscode from 'vscode';

/** The status text for the given counts (exported for tests). */
export function statusText(running: number, findings: number): string {
  const isolates = `${running} isolate${running === 1 ? '' : 's'}`;
  return findings > 0 ? `$(pulse) ${isolates} $(warning) ${findings}` : `$(pulse) ${isolates}`;
}

/** Owns the item; `update()` is called by the extension when the model changes. */
export class IsoscopeStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(openCommand: string) {
    this.item = vscode.window.createStatusBarItem('isoscope.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Isoscope';
    this.item.command = openCommand;
    this.update(0, 0);
    this.item.show();
  }

  /** Shows running isolates and findings. */
  update(running: number, findings: number): void {
    this.item.text = statusText(running, findings);
    const summary = `Isoscope: ${running} running isolate${running === 1 ? '' : 's'}, ${findings} finding${findings === 1 ? '' : 's'}`;
    this.item.tooltip = `${summary}. Click to open the inspector.`;
    this.item.accessibilityInformation = { label: summary, role: 'button' };
    this.item.backgroundColor = undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
