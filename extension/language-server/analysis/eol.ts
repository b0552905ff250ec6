/**
 * Line endings of the text fixes insert: the analyzers compose it with `\n`, and a file that uses
 * CRLF must get `\r\n`, so a fix never leaves it with mixed line endings.
 */

/** The file's own line ending: CRLF when most of its line breaks are CRLF, else LF. */
export function lineEndingOf(text: string): '\n' | '\r\n' {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/** `newText` with its bare `\n` breaks written as `eol`. */
export function withLineEnding(newText: string, eol: '\n' | '\r\n'): string {
  return eol === '\n' ? newText : newText.replace(/(?<!\r)\n/g, eol);
}
