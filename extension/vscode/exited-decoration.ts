/**
 * Dims exited isolates in the Isolates view. Tree items can't color their label directly, but a
 * FileDecoration on the item's `resourceUri` can; these URIs use our own scheme and name no file.
 */
import * as vscode from 'vscode';

const SCHEME = 'isoscope-isolate';

/** The URI an exited isolate's tree item carries. */
export function exitedIsolateUri(isolateId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: `/exited/${encodeURIComponent(isolateId)}` });
}

/** Gives every exited-isolate URI the disabled foreground color. */
export function registerExitedDecoration(): vscode.Disposable {
  return vscode.window.registerFileDecorationProvider({
    provideFileDecoration(uri) {
      if (uri.scheme !== SCHEME || !uri.path.startsWith('/exited/')) return undefined;
      return { color: new vscode.ThemeColor('disabledForeground'), tooltip: 'exited' };
    },
  });
}
