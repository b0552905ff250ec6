/**
 * Source text from a file's bytes, the way TypeScript's own `sys.readFile` reads it: a UTF-16
 * byte-order mark (LE or BE) means UTF-16, anything else is UTF-8. The mark stays in the text as
 * U+FEFF (the analyzers skip it), so encoding the text again gives the same bytes. A file with NUL
 * bytes in its first 8 KiB that is not UTF-16 is binary.
 */

/** How a source file's bytes were decoded. */
export type SourceEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** The text of `bytes` and its encoding, or null for a binary file. */
export function decodeSource(bytes: Uint8Array): { text: string; encoding: SourceEncoding } | null {
  const encoding: SourceEncoding | null =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? 'utf-16le'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'utf-16be'
        : bytes.subarray(0, 8192).includes(0)
          ? null
          : 'utf-8';
  if (encoding === null) return null;
  return { text: new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes), encoding };
}

/** `text` in `encoding`: the inverse of `decodeSource` for text it returned. */
export function encodeSource(text: string, encoding: SourceEncoding): Buffer {
  if (encoding === 'utf-8') return Buffer.from(text, 'utf8');
  const bytes = Buffer.from(text, 'utf16le');
  return encoding === 'utf-16be' ? bytes.swap16() : bytes;
}
