import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSource, encodeSource } from '../../extension/language-server/source-bytes';

test('source bytes: UTF-16 by its mark (LE, BE), else UTF-8; NUL bytes without a mark are binary; encoding round-trips', () => {
  const text = '\ufeffconst café = "😀";\n';
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(text, 'utf16le').swap16();
  const u8 = Buffer.from(text, 'utf8');
  for (const [bytes, encoding] of [
    [le, 'utf-16le'],
    [be, 'utf-16be'],
    [u8, 'utf-8'],
  ] as const) {
    const d = decodeSource(bytes);
    assert.deepEqual(d, { text, encoding });
    assert.deepEqual(encodeSource(d!.text, d!.encoding), bytes);
  }
  // UTF-16 without a mark is not guessed: its NUL bytes make it binary, as before.
  assert.equal(decodeSource(Buffer.from('const a = 1;', 'utf16le')), null);
  assert.equal(decodeSource(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00])), null);
  assert.deepEqual(decodeSource(Buffer.alloc(0)), { text: '', encoding: 'utf-8' });
});
