/**
 * How runtime-supplied names are shown: one function for every place a name appears (overview,
 * isolate page, parent link, channel peers, timeline, findings), so a name never looks different
 * from one view to the next. Pure (no DOM), unit-testable under node.
 */

/**
 * Characters that would make a name render differently from its code points: bidi embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069), the bidi marks (U+200E, U+200F, U+061C),
 * and C0/C1 controls (newlines, tabs, escapes). A name like "\u202Egnp.exe" would otherwise render
 * reversed and could pass for another isolate's name.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Shows every control character visibly, as ⟨U+202E⟩ (pure). */
export function visibleControls(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** The name shown for an isolate: never blank, never with hidden controls. */
export function displayName(iso: { name: string; id: string }): string {
  return iso.name.trim() === '' ? '(unnamed)' : visibleControls(iso.name);
}

/** The name for a tooltip / accessible name: the display name and the id. */
export function nameTitle(iso: { name: string; id: string }): string {
  return `${displayName(iso)} — ${iso.id}`;
}
