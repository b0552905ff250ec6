/** Human-readable numbers for finding messages and CLI output. */

/** Byte sizes as finding messages write them (shared with the page: protocol/format.ts). */
export { formatBytes } from '../../../protocol/format';

/** `12345` → `12,345`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `1, 'message'` → `1 message`; `2000, 'message'` → `2,000 messages`. */
export function formatCountOf(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${Math.round(n) === 1 ? '' : 's'}`;
}
