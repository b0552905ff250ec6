import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerfRecorder } from '../../webview/perf';

test('render durations come back oldest first from an absolute render number, also after the ring wrapped', () => {
  const perf = new PerfRecorder();
  const ring = perf.renderMs.length;
  const total = ring + 904;
  for (let i = 0; i < total; i++) perf.renderMs[i % ring] = i; // render i took "i ms"
  perf.renders = total;
  assert.deepEqual(perf.durations(total - 3), [total - 3, total - 2, total - 1]);
  const all = perf.durations();
  assert.equal(all.length, ring, 'only the newest ring-full is still held');
  assert.equal(all[0], total - ring);
  assert.equal(all[all.length - 1], total - 1);
  assert.deepEqual(perf.durations(total), []);
});

test('the root is stamped with the sample time only once a render reports the view settled', () => {
  const perf = new PerfRecorder();
  const root = { dataset: {} as Record<string, string> } as unknown as HTMLElement;
  perf.measure(() => false, 1000, root);
  assert.equal(root.dataset.sampleMs, undefined);
  perf.measure(() => true, 1250, root);
  assert.equal(root.dataset.sampleMs, '1250');
  assert.equal(perf.renders, 2);
  assert.equal(perf.durations().length, 2);
});
