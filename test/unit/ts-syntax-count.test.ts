// The syntax-error count behind lint's "does not parse cleanly" and the fix check ("parses no
// worse") is TypeScript's own transpile count, taken without transpile's emit: the two agree on
// whole files, broken ones, and the cases where they could part (duplicate parse errors, the
// grammar errors TypeScript reports only in JS files).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { tsSyntaxErrorCount } from '../../extension/language-server/ts/project';

function transpileCount(file: string, text: string): number {
  return ts.transpileModule(text, { fileName: file, reportDiagnostics: true, compilerOptions: { allowJs: true } })
    .diagnostics!.length;
}

/** A file's text, and broken variants of it: cut in half, a brace dropped, a type or a cast added. */
function variants(text: string): string[] {
  return [
    text,
    text.slice(0, text.length >> 1),
    text.replace('{', ''),
    text.replace(/\)/, ': number)'),
    `let x: number = <any>y;\n${text}`,
  ];
}

test('the count equals ts.transpileModule on the lint fixtures and this module, whole and broken', () => {
  const files = [
    ...readdirSync('test/fixtures/lint/ts').map((f) => join('test/fixtures/lint/ts', f)),
    'extension/core/dart/agent-events.ts', // cut in half, its parse errors repeat: counted once, as transpile does
    'webview/reorder.ts',
  ];
  let compared = 0;
  files.forEach((file, i) => {
    variants(readFileSync(file, 'utf8')).forEach((text, v) => {
      // A new name per text: the count keeps the last texts of a name as bases for small edits.
      const name = file.replace(/(\.\w+)$/, `-${i}-${v}$1`);
      assert.equal(tsSyntaxErrorCount(name, text), transpileCount(name, text), `${file}, variant ${v}`);
      compared++;
    });
  });
  assert.equal(compared, files.length * 5);
});

test('JS files count the grammar errors TypeScript reports only there; TS files do not', () => {
  const text = 'const n: number = 1;\nconst s = <string>x;\nfunction f(a?: string) {}\n';
  const js = tsSyntaxErrorCount('/virtual/types-in.js', text);
  assert.equal(js, transpileCount('/virtual/types-in.js', text));
  assert.ok(js >= 3, `a type annotation, a cast and an optional parameter in JS: ${js}`);
  assert.equal(tsSyntaxErrorCount('/virtual/types-in.ts', text), 0);
});
