import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunArgs } from '../../extension/cli/run-args';

const run = (...opts: string[]) => parseRunArgs([...opts, '--', 'node', 'app.js']);

test('--threshold takes a size of at least 1 byte: 0 and sizes that round to 0 are refused', () => {
  for (const bad of ['0', '0.4', '0k', '0.0001KiB']) {
    assert.throws(() => run('--threshold', bad), {
      name: 'UsageError',
      message: `--threshold must be at least 1 byte, not '${bad}' (the default is 64KiB)`,
    });
  }
  assert.equal(run('--threshold', '1').thresholdBytes, 1);
  assert.equal(run('--threshold', '64KiB').thresholdBytes, 65_536);
  assert.equal(run().thresholdBytes, 65_536);
});

test('--no-status turns the live status line off; it is on by default', () => {
  assert.equal(run().status, true);
  assert.equal(run('--no-status').status, false);
});

test('sizes past 2^53 bytes are refused, so the report never holds a rounded or infinite limit', () => {
  const huge = `1${'0'.repeat(330)}`;
  for (const [flag, text] of [
    ['--max-message-bytes', huge],
    ['--max-message-bytes', '99999999999999999999k'],
    ['--threshold', '9007199254740993'],
  ] as const) {
    assert.throws(() => run(flag, text), {
      name: 'UsageError',
      message: `${flag} is at most 9007199254740991 bytes (2^53 - 1), not '${text}'`,
    });
  }
  assert.equal(run('--max-message-bytes', '9007199254740991').maxMessageBytes, 9007199254740991);
});

test('a negative number after an option is checked as its value, not refused as an ambiguous option', () => {
  assert.throws(() => run('--threshold', '-1'), {
    name: 'UsageError',
    message: "--threshold takes a size in bytes such as 65536, 64KiB or 1MiB, not '-1'",
  });
  assert.throws(() => run('--port', '-1'), { name: 'UsageError', message: "--port takes a whole number, not '-1'" });
  assert.throws(() => run('--max-queue-depth', '-5'), {
    name: 'UsageError',
    message: "--max-queue-depth takes a whole number, not '-5'",
  });
  // Not a number: still an option of its own.
  assert.throws(() => run('--report', '--open'), { name: 'UsageError' });
});
