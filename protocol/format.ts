/** Byte sizes as text, the one form finding messages use and the page repeats next to them. Pure. */

/** Binary units (buffer sizes are powers of two), up to EiB: counters may reach 2^53, and sums more. */
export const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** `1536` → `1.5 KiB`: one decimal under 10 of a unit, whole numbers above ("5.0 MiB", "300 KiB"). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? '-' : '';
  const digits = unit === 0 ? 0 : value < 10 ? 1 : 0;
  return `${sign}${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}
