/**
 * The message-shape corpus shared by the size-estimator unit test and bench: each entry is a
 * shape an app plausibly sends, built fresh on each call.
 */

/** Named corpus shapes. */
export function sizeCorpus(): Record<string, unknown> {
  return {
    'small object': { id: 42, name: 'job-17', ok: true, tags: ['a', 'b'], at: 1.5 },
    'Uint8Array 1 MB': new Uint8Array(1 << 20),
    'Float64Array 1 MB': new Float64Array(1 << 17),
    '100k small objects': Array.from({ length: 100_000 }, (_, i) => ({ id: i, name: `n${i}`, v: i + 0.25 })),
    'one-byte string 1 MB': 'x'.repeat(1 << 20),
    'two-byte string 1 MB': '€'.repeat(1 << 19),
    'nested maps and sets': new Map(Array.from({ length: 500 }, (_, i) => [`k${i}`, new Set([i, i + 1, `v${i}`])])),
    'Buffer 100 KB': Buffer.alloc(100_000, 1),
    'DataView 50 KB': new DataView(new ArrayBuffer(50_000)),
    'ArrayBuffer 70 KB': new ArrayBuffer(70_000),
    'doubles array': Array.from({ length: 10_000 }, (_, i) => i + 0.25),
    'smis array': Array.from({ length: 10_000 }, (_, i) => i),
    'mixed rows': { rows: Array.from({ length: 2000 }, (_, i) => [i, `r${i}`, { x: i % 7 }]), meta: { n: 2000 } },
  };
}
