// The extension must start when a file the language server analyzes is opened, or its lint
// diagnostics never show (docs/lint.md promises them in VS Code): package.json needs an
// `onLanguage:` activation event for every language of the client's document selector, and the
// file watcher's glob must cover exactly the files the analyzers take.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { languageOf } from '../../extension/language-server/analysis/engine';
import { ANALYZED_FILES_GLOB, ANALYZED_LANGUAGE_IDS } from '../../extension/language-server/analyzed-files';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { activationEvents: string[] };

test('package.json activates the extension on every language the language server analyzes', () => {
  for (const id of ANALYZED_LANGUAGE_IDS)
    assert.ok(manifest.activationEvents.includes(`onLanguage:${id}`), `onLanguage:${id} is missing`);
});

test('the watched-files glob names exactly the extensions the analyzers take', () => {
  const extensions = /\{([^}]+)\}$/.exec(ANALYZED_FILES_GLOB)?.[1].split(',') ?? [];
  for (const ext of extensions) assert.notEqual(languageOf(`/w/a.${ext}`), null, ext);
  for (const ext of ['dart', 'ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs'])
    assert.ok(extensions.includes(ext), `${ext} is watched`);
});
