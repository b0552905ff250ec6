/**
 * How runtime-supplied names are shown: one function for every place a name appears (overview,
 * isolate page, parent link, channel peers, timeline, findings), so a name never looks different
 * from one view to the next. Pure (no DOM), unit-testable under node.
 */

/**
 * Characters that would make a name render differently from its code points: bidi embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069), the bidi marks (U+200E, U+200F, U+061C),
 * C0/C1 controls (newlines, tabs, escapes), the line and paragraph separators (U+2028, U+2029),
 * and the characters that take no space: zero-width space, non-joiner and joiner (U+200B–U+200D),
 * word joiner and invisible operators (U+2060–U+2064), the deprecated format controls
 * (U+206A–U+206F), the BOM (U+FEFF), the soft hyphen (U+00AD) and U+180E. A name like
 * "\u202Egnp.exe" would otherwise render reversed, and "a\u200Bb" the same as "ab", so either could
 * pass for another isolate's name. A joiner inside an emoji sequence (👩‍👧) is kept: it only joins.
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /(?<![\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F])\u200D|\u200D(?!\p{Extended_Pictographic})|[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/gu;

/** The code point of one invisible character, as people write it: ⟨U+202E⟩. */
function codePoint(c: string): string {
  return `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** Shows every control and zero-width character visibly, as ⟨U+202E⟩ (pure). */
export function visibleControls(text: string): string {
  return text.replace(INVISIBLE, codePoint);
}

/** The name shown for an isolate: never blank, never with hidden characters. */
export function displayName(iso: { name: string; id: string }): string {
  // Nothing would show but whitespace and invisible characters: the isolate has no name to read.
  return iso.name.replace(INVISIBLE, '').trim() === '' ? '(unnamed)' : visibleControls(iso.name);
}

/** The name for a tooltip / accessible name: the display name and the id. */
export function nameTitle(iso: { name: string; id: string }): string {
  return `${displayName(iso)} — ${iso.id}`;
}
