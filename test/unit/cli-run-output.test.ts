import { test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import {
  endedText,
  endOfRunStatus,
  fitColumns,
  NOT_PROFILED,
  notProfiledText,
  printable,
  summaryLines,
} from '../../extension/cli/run-output';
import { IsolateModel } from '../../extension/core/model/model';
import { formatBytes, formatCountOf } from '../../extension/core/model/format';
import { channel, message, session, start } from '../helpers/records';

test('formatCountOf says one thing in the singular and the rest in the plural', () => {
  assert.equal(formatCountOf(1, 'message'), '1 message');
  assert.equal(formatCountOf(0, 'finding'), '0 findings');
  assert.equal(formatCountOf(12345, 'isolate'), '12,345 isolates');
});

test('the exit summary counts in the singular when there is one of a thing', () => {
  const model = new IsolateModel();
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  model.ingest('node:1', start('1', 'only-worker'));
  model.ingest('node:1', { ...channel('c1', '0', '1'), sent: 1, bytesCopied: 100_000, maxMessageBytes: 100_000 });
  model.ingest('node:1', message('0', 'c1', 100_000, null, { typedArrayBytes: 99_990, shape: 'Uint8Array(99990)' }));
  const lines = summaryLines(model.toReport(), '/');
  assert.match(lines[0]!, /^2 isolates \(1 worker\), 1 message, 98 KiB copied;/);
  assert.equal(lines[1], '1 finding:');
});

test("the page's end-of-run banner says how the command ended and whether anything was profiled", () => {
  const cmd = ['node', 'app.js'];
  assert.deepEqual(endOfRunStatus(cmd, { kind: 'exit', code: 0, signal: null, atMs: 6300 }, 1000, true), {
    text: 'The run ended: node app.js exited with code 0 after 5.3 s. This is the final data; the inspector has stopped.',
    level: 'info',
  });
  assert.deepEqual(endOfRunStatus(cmd, { kind: 'exit', code: null, signal: 'SIGTERM', atMs: 2000 }, 1000, true), {
    text: 'The run ended: node app.js was killed by SIGTERM after 1.0 s. This is the final data; the inspector has stopped.',
    level: 'warning',
  });
  const sleep = endOfRunStatus(['sleep', '4'], { kind: 'exit', code: 0, signal: null, atMs: 5000 }, 1000, false);
  assert.equal(sleep.level, 'warning');
  assert.ok(sleep.text.includes(NOT_PROFILED), sleep.text);
  assert.equal(
    endOfRunStatus(['nope'], { kind: 'spawn-error', error: { message: 'spawn nope ENOENT' }, atMs: 1 }, 1, false).level,
    'error',
  );
});

test('printable shows newlines, tabs, escapes and bidi overrides as code points: a name cannot print a line of its own', () => {
  assert.equal(
    printable('pool\nisoscope: gate passed\t\u2028x\u001b[2J \u202Eevil'),
    'pool⟨U+000A⟩isoscope: gate passed⟨U+0009⟩⟨U+2028⟩x⟨U+001B⟩[2J ⟨U+202E⟩evil',
  );
});

test("the terminal's end line is the banner's sentence without its frame", () => {
  const cmd = ['node', 'app.js'];
  const killed = { kind: 'exit', code: null, signal: 'SIGKILL', atMs: 3450 } as const;
  assert.equal(endedText(cmd, killed, 1000), 'node app.js was killed by SIGKILL after 2.5 s');
  assert.ok(
    endOfRunStatus(cmd, killed, 1000, true).text.startsWith(`The run ended: ${endedText(cmd, killed, 1000)}. `),
  );
});

test('byte sizes in messages go past TiB: 2^53 bytes is 8.0 PiB, not 8192 TiB', () => {
  assert.equal(formatBytes(2 ** 53), '8.0 PiB');
  assert.equal(formatBytes(1e20), '87 EiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
});

test('a gate whose size and limit round to the same text shows both in exact bytes', () => {
  const model = new IsolateModel();
  model.openSession(session());
  const report = {
    ...model.toReport(),
    gates: [
      { name: 'max-message-bytes', limit: 2006, actual: 2007, passed: false },
      { name: 'max-message-bytes', limit: 65536, actual: 1 << 20, passed: false },
      { name: 'max-queue-depth', limit: 10, actual: 3, passed: true },
    ],
  };
  const gates = summaryLines(report, '/').filter((l) => l.startsWith('gate '));
  assert.deepEqual(gates, [
    'gate max-message-bytes: 2,007 bytes vs limit 2,006 bytes — FAILED',
    'gate max-message-bytes: 1.0 MiB vs limit 64 KiB — FAILED',
    'gate max-queue-depth: 3 vs limit 10 — passed',
  ]);
});

test('with nothing profiled, a program killed by a signal is said to have maybe died before the agent connected', () => {
  const exit = { kind: 'exit' as const, code: null, signal: null, atMs: 1100 };
  assert.equal(notProfiledText({ ...exit, code: 0 }, 1000), NOT_PROFILED);
  assert.match(
    notProfiledText({ ...exit, signal: 'SIGSEGV' }, 1000),
    /^no Node process connected to Isoscope before the program was killed by SIGSEGV 0\.1 s in: it may have died before the agent connected;/,
  );
  assert.match(
    endOfRunStatus(['node', 'a.js'], { ...exit, signal: 'SIGKILL' }, 1000, false).text,
    /killed by SIGKILL 0\.1 s in/,
  );
});

test('the status line is cut to the terminal’s columns, counting wide characters as two and never splitting one', () => {
  const name = '処理ワーカー処理ワーカー';
  const text = `isoscope: 3 isolates · deepest queue 12,000 (${name}) 🚀`;
  for (const columns of [20, 41, 50, 60, 79]) {
    const line = fitColumns(text, columns);
    assert.ok(stringWidth(line) <= columns, `${columns}: ${line} is ${stringWidth(line)} wide`);
    assert.ok(!/[\uD800-\uDBFF]…$/.test(line), 'no half surrogate pair before the ellipsis');
  }
  assert.equal(fitColumns('short', 10), 'short');
  assert.equal(fitColumns('ab処理', 5), 'ab処…');
  assert.equal(fitColumns('ab処理', 4), 'ab…');
  assert.equal(fitColumns('x🚀🚀', 4), 'x🚀…');
});
