/** Human-readable numbers for finding messages and CLI output. */
import type { Bytes } from '../../../protocol';

/** `1536` → `1.5 KiB`; binary units because buffer sizes are powers of two. */
export function formatBytes(bytes: Bytes): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? '-' : '';
  const digits = unit === 0 ? 0 : value < 10 ? 1 : 0;
  return `${sign}${value.toFixed(digits)} ${units[unit]}`;
}

/** `12345` → `12,345`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `1, 'message'` → `1 message`; `2000, 'message'` → `2,000 messages`. */
export function formatCountOf(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${Math.round(n) === 1 ? '' : 's'}`;
}
