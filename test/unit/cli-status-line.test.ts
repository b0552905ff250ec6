import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStatusLine, statusText, VT } from '../../extension/cli/run-output';
import { IsolateModel } from '../../extension/core/model/model';
import { sample, session, start } from '../helpers/records';
import { VtScreen } from '../fixtures/cli-qa/vt-screen';

/** A terminal for the status line: everything written goes to a VT screen (and `raw`). */
class FakeTerminal extends EventEmitter {
  isTTY = true;
  raw = '';
  readonly screen: VtScreen;
  constructor(
    public rows: number | undefined,
    public columns: number | undefined,
  ) {
    super();
    this.screen = new VtScreen(rows ?? 24, columns ?? 80);
  }
  write(text: string): boolean {
    this.raw += text;
    this.screen.write(text);
    return true;
  }
}

const ENV = { TERM: 'xterm-256color' };

/** Runs the status line on `term` while `program` writes, as the program would on the same terminal. */
async function withStatus(term: FakeTerminal, program: (write: (s: string) => Promise<void>) => Promise<void>) {
  term.write('isoscope: inspector at http://127.0.0.1:1/ · running: node app.js\r\n');
  const stop = startStatusLine(new IsolateModel(), term, { env: ENV, intervalMs: 5 });
  try {
    await program(async (s) => {
      term.write(s);
      await sleep(300); // redraws between the program's writes (the default interval is 250 ms)
    });
  } finally {
    stop();
  }
}

test('the status line never erases a prompt the program is waiting on', async () => {
  const term = new FakeTerminal(10, 60);
  await withStatus(term, async (write) => {
    await write('What is your name? ');
    await write('bob\r\nAPP hello bob\r\n');
  });
  const text = term.screen.text();
  assert.ok(text.includes('What is your name? bob'), text.join('\n'));
  assert.ok(text.includes('APP hello bob'), text.join('\n'));
});

test('a half-written line survives the redraws and is finished in place', async () => {
  const term = new FakeTerminal(10, 60);
  await withStatus(term, async (write) => {
    await write('RESULT: 42');
    await write(' (done)\r\n');
  });
  assert.ok(term.screen.text().includes('RESULT: 42 (done)'), term.screen.text().join('\n'));
});

test('the status sits on the bottom row while the program output scrolls above it; stopping clears only that row', async () => {
  const term = new FakeTerminal(8, 70);
  let during: string[] = [];
  await withStatus(term, async (write) => {
    for (let i = 1; i <= 20; i++) term.write(`APP line ${i}\r\n`);
    await write('');
    during = term.screen.text();
  });
  assert.match(during[7]!, /^isoscope: 0 isolates · 0 msgs\/s · 0\.0 MB\/s copied · deepest queue 0$/);
  assert.deepEqual(
    during.slice(0, 6),
    Array.from({ length: 6 }, (_, k) => `APP line ${15 + k}`),
  );
  const after = term.screen.text();
  assert.equal(after[7], '', 'the status row is cleared at the end');
  assert.equal(after[5], 'APP line 20', 'the program output is left as it was');
});

test('the escape sequences: reserve the bottom row, draw there with the cursor saved, give it back', () => {
  const term = new FakeTerminal(30, 100);
  const stop = startStatusLine(new IsolateModel(), term, { env: ENV, intervalMs: 60_000 });
  const reserve = VT.index + VT.saveCursor + VT.scrollRegion(1, 29) + VT.restoreCursor + VT.cursorUp;
  const draw = `${VT.saveCursor}${VT.moveTo(30, 1)}${VT.eraseLine}${VT.resetStyle}isoscope: 0 isolates · 0 msgs/s · 0.0 MB/s copied · deepest queue 0${VT.restoreCursor}`;
  assert.equal(term.raw, reserve + draw);
  assert.equal(reserve, '\x1bD\x1b7\x1b[1;29r\x1b8\x1b[1A');
  term.raw = '';
  stop();
  assert.equal(term.raw, '\x1b7\x1b[r\x1b[30;1H\x1b[2K\x1b8');
  assert.ok(!term.raw.includes('\r'), 'never a carriage return: the cursor line is not touched');
});

test('after a resize the bottom row of the new size is reserved', () => {
  const term = new FakeTerminal(30, 100);
  const stop = startStatusLine(new IsolateModel(), term, { env: ENV, intervalMs: 60_000 });
  term.raw = '';
  term.rows = 40;
  term.emit('resize');
  assert.ok(term.raw.startsWith(VT.index + VT.saveCursor + VT.scrollRegion(1, 39)), JSON.stringify(term.raw));
  assert.ok(term.raw.includes(VT.moveTo(40, 1) + VT.eraseLine));
  term.raw = '';
  stop();
  assert.ok(term.raw.includes(VT.moveTo(40, 1)), 'the row given back is the new bottom row');
});

test('no live line when the terminal size is unknown or tiny, on TERM=dumb, with --no-status, or off a terminal', () => {
  const cases: [FakeTerminal, NodeJS.ProcessEnv, boolean][] = [
    [new FakeTerminal(undefined, undefined), ENV, true],
    [new FakeTerminal(0, 0), ENV, true],
    [new FakeTerminal(3, 80), ENV, true],
    [new FakeTerminal(30, 100), { TERM: 'dumb' }, true],
    [new FakeTerminal(30, 100), ENV, false],
    [Object.assign(new FakeTerminal(30, 100), { isTTY: false }), ENV, true],
  ];
  for (const [term, env, enabled] of cases) {
    const stop = startStatusLine(new IsolateModel(), term, { env, enabled, intervalMs: 1 });
    stop();
    assert.equal(term.raw, '', `rows ${term.rows} TERM ${env.TERM} enabled ${enabled} tty ${term.isTTY}`);
  }
});

test('an isolate name cannot put escape sequences on the terminal', async () => {
  const model = new IsolateModel();
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  model.ingest('node:1', start('1', '\x1b[2J\x1b]0;pwned\x07evil'));
  model.ingest('node:1', sample('1', 1000, { queueDepth: 9 }));
  await model.settled();
  const text = statusText(model);
  assert.match(text, /deepest queue 9 \(⟨U\+001B⟩\[2J⟨U\+001B⟩\]0;pwned⟨U\+0007⟩evil\)/);
  assert.ok(![...text].some((c) => c.charCodeAt(0) < 0x20), JSON.stringify(text));
});
