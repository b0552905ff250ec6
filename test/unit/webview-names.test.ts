import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayName, nameTitle, visibleControls } from '../../protocol/names';

const shown = (name: string) => displayName({ name, id: 'w1' });

test('a name of only zero-width or invisible characters reads "(unnamed)"', () => {
  for (const name of ['\u200B', '\u200C\u200D', '\u2060\uFEFF', '\u2028', ' \u2029 ', '\u00AD', '\u202E']) {
    assert.equal(shown(name), '(unnamed)', JSON.stringify(name));
  }
  assert.equal(nameTitle({ name: '\u200B', id: 'w1' }), '(unnamed) — w1');
});

test('zero-width characters and line separators inside a name are shown as code points', () => {
  assert.equal(shown('zw\u200Bspace'), 'zw⟨U+200B⟩space');
  assert.equal(shown('a\u200Cb\u200Dc'), 'a⟨U+200C⟩b⟨U+200D⟩c');
  assert.equal(shown('w\u2060j\uFEFF'), 'w⟨U+2060⟩j⟨U+FEFF⟩');
  assert.equal(shown('sep\u2028sep\u2029end'), 'sep⟨U+2028⟩sep⟨U+2029⟩end');
  assert.equal(visibleControls('soft\u00ADhyphen'), 'soft⟨U+00AD⟩hyphen');
  // Unchanged: bidi controls and C0 controls.
  assert.equal(shown('main\u202Egnp.exe'), 'main⟨U+202E⟩gnp.exe');
  assert.equal(shown('line1\nline2'), 'line1⟨U+000A⟩line2');
});

test('a joiner inside an emoji sequence is kept (it joins, it does not hide anything)', () => {
  assert.equal(shown('🚀 worker 👩‍👩‍👧'), '🚀 worker 👩‍👩‍👧');
  assert.equal(shown('❤️‍🔥'), '❤️‍🔥');
  assert.equal(shown('👨🏽‍💻 dev'), '👨🏽‍💻 dev');
  // A joiner that joins nothing is shown.
  assert.equal(shown('👩\u200D tail'), '👩⟨U+200D⟩ tail');
});
