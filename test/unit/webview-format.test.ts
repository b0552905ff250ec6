import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatBytes,
  formatBytesPerSec,
  formatCount,
  formatDurationMicros,
  formatDurationMs,
  formatLocation,
  formatPercent,
  formatRate,
  shortPath,
} from '../../webview/format';

test('formatBytes uses binary prefixes with at most three significant digits', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1 KiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(64 * 1024), '64 KiB');
  assert.equal(formatBytes(12.34 * 1024 * 1024), '12.3 MiB');
  assert.equal(formatBytes(3 * 1024 ** 3), '3 GiB');
  // Rounding up to 1024 of a unit moves to the next unit instead of printing "1024 KiB".
  assert.equal(formatBytes(1024 * 1024 - 1), '1 MiB');
  // Past 1,024 TiB (the protocol allows up to 2^53 bytes per counter, and sums go beyond).
  assert.equal(formatBytes(2 ** 53), '8 PiB');
  assert.equal(formatBytes(3 * 2 ** 60), '3 EiB');
  assert.equal(formatBytes(null), '—');
  assert.equal(formatBytes(Number.NaN), '—');
});

test('formatBytesPerSec appends /s', () => {
  assert.equal(formatBytesPerSec(2 * 1024 * 1024), '2 MiB/s');
  assert.equal(formatBytesPerSec(undefined), '—');
});

test('formatDurationMs picks µs, ms, s, min and h', () => {
  assert.equal(formatDurationMs(0), '0 ms');
  assert.equal(formatDurationMs(0.25), '250 µs');
  assert.equal(formatDurationMs(0.0123), '12.3 µs');
  assert.equal(formatDurationMs(12.5), '12.5 ms');
  assert.equal(formatDurationMs(999), '999 ms');
  assert.equal(formatDurationMs(3200), '3.2 s');
  assert.equal(formatDurationMs(245_000), '4 min 05 s');
  assert.equal(formatDurationMs(2 * 3600_000 + 3 * 60_000), '2 h 03 min');
  assert.equal(formatDurationMs(-1500), '-1.5 s');
  assert.equal(formatDurationMs(null), '—');
  assert.equal(formatDurationMicros(850), '850 µs');
  assert.equal(formatDurationMicros(2_500_000), '2.5 s');
});

test('formatPercent, formatRate and formatCount', () => {
  assert.equal(formatPercent(0), '0 %');
  assert.equal(formatPercent(0.05), '<0.1 %');
  assert.equal(formatPercent(4.234), '4.23 %');
  assert.equal(formatPercent(125), '125 %');
  assert.equal(formatPercent(null), '—');
  assert.equal(formatRate(0), '0');
  assert.equal(formatRate(0.5), '0.5/s');
  assert.equal(formatRate(1234), '1.23k/s');
  assert.equal(formatRate(2_500_000), '2.5M/s');
  assert.equal(formatCount(1234567), '1,234,567');
});

test('formatLocation and shortPath', () => {
  assert.equal(formatLocation({ file: '/a/b/demo.ts', line: 42, column: 7 }), '/a/b/demo.ts:42:7');
  assert.equal(formatLocation({ file: 'x.ts', line: 3, column: 0 }), 'x.ts:3');
  assert.equal(formatLocation(null), 'unknown location');
  assert.equal(shortPath('/home/u/proj/src/app.ts'), '…/src/app.ts');
  assert.equal(shortPath('C:\\proj\\src\\app.ts', 3), '…/proj/src/app.ts');
  assert.equal(shortPath('app.ts'), 'app.ts');
});

test('a duration or rate that rounds to 1000 of a unit is shown in the next unit, as bytes are', () => {
  assert.equal(formatDurationMs(0.9996), '1 ms');
  assert.equal(formatDurationMs(999.7), '1 s');
  assert.equal(formatDurationMs(999.5), '1 s');
  assert.equal(formatDurationMs(-999.7), '-1 s');
  assert.equal(formatDurationMs(59_999), '1 min 00 s');
  assert.equal(formatDurationMs(59_940), '59.9 s');
  // Minutes and seconds stay floored like a clock: no "60 min", no jump ahead.
  assert.equal(formatDurationMs(3_599_999), '59 min 59 s');
  assert.equal(formatDurationMicros(999_700), '1 s');
  assert.equal(formatRate(999.7), '1k/s');
  assert.equal(formatRate(999.4), '999/s');
  assert.equal(formatRate(999_900), '1M/s');
  assert.equal(formatRate(999_500), '1M/s');
  assert.equal(formatRate(999_400), '999k/s');
});
