import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

test('every “Isoscope: …” command the inspector names is a command the extension contributes', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    contributes: { commands: { title: string; category?: string }[] };
  };
  const titles = new Set(manifest.contributes.commands.map((c) => `${c.category ?? ''}: ${c.title}`));
  const named: string[] = [];
  for (const file of readdirSync(join(root, 'webview')).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(root, 'webview', file), 'utf8');
    for (const m of text.matchAll(/“(Isoscope: [^”]+)”/g)) named.push(m[1]!);
  }
  assert.ok(named.length >= 3, `expected the empty state to name commands, found ${named.length}`);
  for (const name of named)
    assert.ok(titles.has(name), `the inspector names “${name}”, which is not a contributed command`);
});
