/**
 * Unit formatting for people: bytes in KiB/MiB/GiB, durations in µs/ms/s/min, rates and percents.
 * Pure functions (no DOM) so they can be unit-tested under node.
 */
import { BYTE_UNITS, formatBytes as messageBytes } from '../protocol/format';

/** Three significant digits at most, trailing zeros dropped ("1.5", "12.3", "512"). */
function threeDigits(value: number): string {
  const abs = Math.abs(value);
  const decimals = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return Number(value.toFixed(decimals)).toString();
}

/** Formats a byte count with binary prefixes: 0 B, 512 B, 1.5 KiB, 64 KiB, 12.3 MiB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // Round-up at a unit boundary ("1024 KiB") reads badly: bump to the next unit instead.
  if (unit < BYTE_UNITS.length - 1 && Math.abs(Number(threeDigits(value))) >= 1024) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${threeDigits(value)} ${BYTE_UNITS[unit]}`;
}

/**
 * Formats a byte count the way finding messages do (they are written by the model: one decimal
 * under 10 of a unit, whole numbers above: "5.0 MiB", "300 KiB"), so the numbers next to a
 * finding's message read the same as the message ("5.0 MiB", not "4.98 MiB").
 */
export function formatBytesAsInMessages(bytes: number): string {
  return Number.isFinite(bytes) ? messageBytes(bytes) : '—';
}

/** Formats a byte rate: "1.5 MiB/s". */
export function formatBytesPerSec(bytesPerSec: number | null | undefined): string {
  if (bytesPerSec === null || bytesPerSec === undefined || !Number.isFinite(bytesPerSec)) return '—';
  return `${formatBytes(bytesPerSec)}/s`;
}

/** Formats a duration given in milliseconds: 850 µs, 12.5 ms, 3.2 s, 4 min 05 s, 2 h 03 min. */
export function formatDurationMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs === 0) return '0 ms';
  // A value that rounds up to the next unit ("1000 ms", "60 s") is shown in that unit, as in
  // formatBytes; clamping to the unit's 1 keeps 999.5 ms from reading "0.99 s".
  const micros = threeDigits(abs * 1000);
  if (abs < 1 && Number(micros) < 1000) return `${sign}${micros} µs`;
  const millis = threeDigits(Math.max(abs, 1));
  if (abs < 1000 && Number(millis) < 1000) return `${sign}${millis} ms`;
  const seconds = threeDigits(Math.max(abs, 1000) / 1000);
  if (abs < 60_000 && Number(seconds) < 60) return `${sign}${seconds} s`;
  // Minutes and seconds count like a clock (floored), but never below the minute 59.96 s rounded to.
  const totalSec = Math.max(60, Math.floor(abs / 1000));
  if (totalSec < 3600) {
    return `${sign}${Math.floor(totalSec / 60)} min ${String(totalSec % 60).padStart(2, '0')} s`;
  }
  const minutes = Math.floor(totalSec / 60);
  return `${sign}${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Formats a duration given in microseconds (delegates to the ms formatter). */
export function formatDurationMicros(micros: number | null | undefined): string {
  if (micros === null || micros === undefined || !Number.isFinite(micros)) return '—';
  return formatDurationMs(micros / 1000);
}

/** Formats a percentage in 0..100 (or more, for several cores): "0 %", "4.2 %", "125 %". */
export function formatPercent(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return '—';
  if (percent === 0) return '0 %';
  if (Math.abs(percent) < 0.1) return '<0.1 %';
  return `${threeDigits(percent)} %`;
}

/** Formats an events-per-second rate: "0", "0.5/s", "1.2k/s". */
export function formatRate(perSec: number | null | undefined): string {
  if (perSec === null || perSec === undefined || !Number.isFinite(perSec)) return '—';
  if (perSec === 0) return '0';
  // As in formatDurationMs: a value that rounds to 1000 of a unit is shown in the next one.
  const sign = perSec < 0 ? '-' : '';
  const abs = Math.abs(perSec);
  const ones = threeDigits(abs);
  if (Number(ones) < 1000) return `${sign}${ones}/s`;
  const thousands = threeDigits(Math.max(abs, 1000) / 1000);
  if (Number(thousands) < 1000) return `${sign}${thousands}k/s`;
  return `${sign}${threeDigits(Math.max(abs, 1_000_000) / 1_000_000)}M/s`;
}

/**
 * A time-axis label in seconds with as many decimals as the step between ticks needs (at most 3),
 * so neighbouring ticks never read the same: a 1.5 s chart gets "0.5 s", not a second "1 s".
 */
export function formatTickSeconds(valueS: number, stepS: number): string {
  let decimals = 0;
  while (decimals < 3) {
    const scaled = Math.abs(stepS) * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) break;
    decimals++;
  }
  return `${valueS.toFixed(decimals)} s`;
}

/** Tick steps of a byte axis, in its unit (a power of 1024): labels read "4 MiB", never "4.77 MiB". */
const BYTE_STEPS = [1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 40, 50, 64, 100, 128, 200, 250, 256, 500, 512];

/**
 * Ticks of a byte axis from 0 up to at least `maxBytes`, at most `maxTicks` of them, at a round
 * step in the unit the labels show (1, 2, 4, 5, 8… × a power of 1024). Decimal steps shown in
 * binary units read 4.77 MiB, 9.54 MiB.
 */
export function byteAxisTicks(maxBytes: number, maxTicks: number): number[] {
  const max = Number.isFinite(maxBytes) && maxBytes > 0 ? maxBytes : 1;
  const intervals = Math.max(1, maxTicks - 1);
  let step = 0;
  for (let unit = 1; step === 0 && unit < Number.MAX_VALUE / 1024; unit *= 1024) {
    for (const m of BYTE_STEPS) {
      if (Math.ceil(max / (m * unit)) <= intervals) {
        step = m * unit;
        break;
      }
    }
  }
  if (step === 0) step = max / intervals;
  const ticks: number[] = [];
  for (let i = 0; i <= Math.ceil(max / step); i++) ticks.push(i * step);
  return ticks;
}

/** Formats a plain count with thin grouping: 1234567 → "1,234,567". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  // Hand-rolled grouping: toLocaleString is slow enough to show up in 4 Hz profiles.
  const digits = String(Math.abs(Math.round(n)));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return n < 0 && Math.round(n) !== 0 ? `-${out}` : out;
}

/** Wall-clock time of day with milliseconds, in local time: "14:03:07.250". */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A source location as people write it: "src/app.ts:42:7" (column omitted when unknown). */
export function formatLocation(loc: { file: string; line: number; column: number } | null): string {
  if (!loc) return 'unknown location';
  return loc.column > 0 ? `${loc.file}:${loc.line}:${loc.column}` : `${loc.file}:${loc.line}`;
}

/** The last path segments of a file path, for narrow columns ("…/src/app.ts"). */
export function shortPath(file: string, segments = 2): string {
  const parts = file.split(/[\\/]/);
  if (parts.length <= segments) return file;
  return `…/${parts.slice(-segments).join('/')}`;
}
