/**
 * Size-estimator accuracy and cost: for each corpus shape, the walk estimate against
 * `v8.serialize().length` (error %), and the median µs of each. Target: within 10 % on every shape.
 */
import { serialize } from 'node:v8';
import { estimateCloneBytes } from '../runtime-agent/node/size-estimator';
import { sizeCorpus } from '../test/unit/agent-size-corpus';

function medianMicros(fn: () => void, runs: number): number {
  for (let i = 0; i < Math.min(runs, 20); i++) fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[times.length >> 1] * 100) / 100;
}

const results: Record<
  string,
  { serializeBytes: number; estimateBytes: number; errorPct: number; estimateMicros: number; serializeMicros: number }
> = {};
const targets = [];
for (const [name, value] of Object.entries(sizeCorpus())) {
  const actual = serialize(value).length;
  const est = estimateCloneBytes(value).bytes;
  const errorPct = Math.round(((est - actual) / actual) * 1000) / 10;
  const heavy = actual > 1_000_000;
  results[name] = {
    serializeBytes: actual,
    estimateBytes: est,
    errorPct,
    estimateMicros: medianMicros(() => estimateCloneBytes(value), heavy ? 50 : 500),
    serializeMicros: medianMicros(() => serialize(value), heavy ? 10 : 200),
  };
  process.stderr.write(`${name}: ${JSON.stringify(results[name])}\n`);
  targets.push({
    name: `error within 10 %: ${name}`,
    target: 10,
    actual: Math.abs(errorPct),
    met: Math.abs(errorPct) <= 10,
  });
}
console.log(JSON.stringify({ name: 'size-estimator', results, targets }));
