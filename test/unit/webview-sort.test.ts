import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IsolateSnapshot } from '../../protocol';
import { compareIsolates, defaultDirFor, matchesFilter, sortAndFilter } from '../../webview/sort';
import { parseUiState, DEFAULT_UI_STATE } from '../../webview/ui-state';
import { isolateSnapshot } from '../helpers/isolate-snapshot';

const iso = (id: string, name: string, extra: Partial<IsolateSnapshot> = {}): IsolateSnapshot =>
  isolateSnapshot(id, name, { sessionId: 's', ...extra });

const rows = [
  iso('a', 'Worker-B', { cpuPercent: 50, heapUsedBytes: 10, startedAtMs: 3 }),
  iso('b', 'main', { cpuPercent: 90, heapUsedBytes: 30, startedAtMs: 1, kind: 'main' }),
  iso('c', 'worker-a', { cpuPercent: null, heapUsedBytes: 20, startedAtMs: 2, state: 'exited' }),
  iso('d', 'resizer', { cpuPercent: 50, heapUsedBytes: 5, startedAtMs: 4 }),
];

test('sorts numbers biggest first by default and nulls last', () => {
  const ids = sortAndFilter(rows, 'cpuPercent', defaultDirFor('cpuPercent'), '').map((r) => r.id);
  // a and d tie on 50 %: the earlier-started one comes first, so the order is stable.
  assert.deepEqual(ids, ['b', 'a', 'd', 'c']);
});

test('sorts by name case-insensitively, both directions', () => {
  assert.deepEqual(
    sortAndFilter(rows, 'name', 'asc', '').map((r) => r.name),
    ['main', 'resizer', 'worker-a', 'Worker-B'],
  );
  assert.deepEqual(
    sortAndFilter(rows, 'name', 'desc', '').map((r) => r.name),
    ['Worker-B', 'worker-a', 'resizer', 'main'],
  );
});

test('sorts by heap and by state', () => {
  assert.deepEqual(
    sortAndFilter(rows, 'heapUsedBytes', 'desc', '').map((r) => r.id),
    ['b', 'c', 'a', 'd'],
  );
  assert.equal(sortAndFilter(rows, 'state', 'asc', '')[0].state, 'exited');
});

test('filters by name or id, case-insensitively, ignoring surrounding spaces', () => {
  assert.deepEqual(
    sortAndFilter(rows, 'name', 'asc', '  WORKER ').map((r) => r.id),
    ['c', 'a'],
  );
  assert.equal(matchesFilter(rows[3], 'd'), true);
  assert.equal(matchesFilter(rows[3], 'zzz'), false);
  assert.equal(matchesFilter(iso('x', '<img src=x onerror=alert(1)>'), 'onerror'), true);
});

test('compareIsolates is antisymmetric', () => {
  for (const a of rows)
    for (const b of rows) {
      const ab = Math.sign(compareIsolates(a, b, 'cpuPercent', 'desc'));
      const ba = Math.sign(compareIsolates(b, a, 'cpuPercent', 'desc'));
      assert.equal(ab, a === b ? 0 : -ba);
    }
});

test('persisted UI state is read defensively', () => {
  assert.deepEqual(parseUiState(undefined), DEFAULT_UI_STATE);
  assert.deepEqual(
    parseUiState({ view: 'timeline', sortKey: 'heapUsedBytes', sortDir: 'asc', filter: 'w', selectedIsolateId: 'x' }),
    {
      view: 'timeline',
      sortKey: 'heapUsedBytes',
      sortDir: 'asc',
      filter: 'w',
      selectedIsolateId: 'x',
    },
  );
  const bad = parseUiState({ view: 'evil', sortKey: '__proto__', sortDir: 'up', filter: 42 });
  assert.deepEqual(bad, DEFAULT_UI_STATE);
});

test('the filter matches the name as shown, not only the raw name', () => {
  const bidi = iso('b1', 'main\u202Egnp.exe');
  const blank = iso('u1', '   ');
  const zeroWidth = iso('u2', '\u200B');
  const newline = iso('n1', 'line1\nline2');
  assert.equal(matchesFilter(bidi, 'U+202E'), true);
  assert.equal(matchesFilter(bidi, 'main⟨U+202E⟩g'), true);
  assert.equal(matchesFilter(bidi, 'gnp.exe'), true, 'the raw name still matches');
  assert.equal(matchesFilter(blank, '(unnamed)'), true);
  assert.equal(matchesFilter(zeroWidth, 'unnamed'), true);
  assert.equal(matchesFilter(newline, 'line1⟨U+000A⟩line2'), true);
  assert.equal(matchesFilter(iso('w', 'worker-1'), 'unnamed'), false);
  assert.deepEqual(
    sortAndFilter([bidi, blank, zeroWidth, newline], 'name', 'asc', '(UNNAMED)')
      .map((r) => r.id)
      .sort(),
    ['u1', 'u2'],
  );
});
