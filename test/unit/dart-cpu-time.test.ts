import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuTimeAccumulator, cpuMicrosInWindow } from '../../extension/core/dart/cpu-time';
import type { CpuSamples } from '../../extension/core/dart/vm-types';
import { loadVmFixture } from '../helpers/scripted-vm-service';

// Real recording from flutter/devtools (BSD-3): a getAllocationTraces answer, type CpuSamples.
const recorded = loadVmFixture<CpuSamples>('recorded/devtools_allocation_trace.getAllocationTraces.json');

test('recorded CpuSamples: the whole window accounts for sampleCount × samplePeriod of CPU', () => {
  assert.equal(recorded.type, 'CpuSamples');
  assert.equal(recorded.sampleCount, 68);
  assert.equal(recorded.samplePeriod, 250);
  const acc = new CpuTimeAccumulator(recorded.timeOriginMicros);
  // The VM's window is inclusive; our next window starts one µs after its end.
  const added = acc.addWindow(recorded, recorded.timeOriginMicros + recorded.timeExtentMicros + 1);
  assert.equal(added, 68 * 250);
  assert.equal(acc.cumulativeMicros, 17_000);
});

test('recorded CpuSamples split over consecutive poll windows: same total, no sample counted twice', () => {
  const timestamps = recorded.samples.map((s) => s.timestamp).sort((a, b) => a - b);
  // Cut exactly on a sample's timestamp, the case where inclusive ends would double count.
  const cut = timestamps[30];
  const acc = new CpuTimeAccumulator(recorded.timeOriginMicros);
  const first = acc.addWindow(recorded, cut);
  const second = acc.addWindow(recorded, recorded.timeOriginMicros + recorded.timeExtentMicros + 1);
  assert.equal(first, timestamps.filter((t) => t < cut).length * 250);
  assert.ok(first > 0 && second > 0);
  assert.equal(first + second, 17_000);
});

test('recorded CpuSamples: a window before the first sample counts nothing', () => {
  assert.equal(cpuMicrosInWindow(recorded, recorded.timeOriginMicros - 1000, 999), 0);
});

test('DevTools hand-written CpuSamples (SYNTHETIC, not a recording) has the shape we read', () => {
  const synthetic = loadVmFixture<CpuSamples>('recorded/devtools_cpu_samples_with_code_profile.SYNTHETIC.json');
  assert.equal(cpuMicrosInWindow(synthetic, synthetic.timeOriginMicros, synthetic.timeExtentMicros), 50);
});

test('a response without a samples array falls back to sampleCount × samplePeriod', () => {
  const bare = { ...recorded, samples: undefined } as unknown as CpuSamples;
  assert.equal(cpuMicrosInWindow(bare, 0, 1), 17_000);
});
