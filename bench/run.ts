/**
 * `npm run bench`: runs every bench/*.bench.ts in its own process (one at a time, so they do not
 * disturb each other) and writes their JSON to bench/results/latest.json.
 * Contract for a bench file: it prints progress to stderr and ONE JSON object as the last line
 * of stdout: `{ "name": string, "results": {...}, "targets"?: [{ "name", "target", "actual", "met" }] }`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

const only = process.argv.slice(2);
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const out: Record<string, unknown> = {
  machine: { node: process.version, cpus: cpus().length, at: new Date().toISOString() },
};
let unmet = 0;
for (const file of files) {
  process.stderr.write(`\n=== bench ${file} ===\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('bench', file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(last) as { name: string; targets?: { met: boolean }[] };
    out[parsed.name ?? file] = parsed;
    for (const t of parsed.targets ?? []) if (!t.met) unmet++;
    process.stdout.write(`${JSON.stringify(parsed, null, 2)}\n`);
  } catch {
    // A bench that printed no JSON is recorded as an error, not silently dropped.
    out[file] = { error: `exit ${r.status}; no JSON result`, stdoutTail: r.stdout.slice(-2000) };
    unmet++;
  }
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', JSON.stringify(out, null, 2) + '\n');
process.stderr.write(
  `\nbench: wrote bench/results/latest.json (${files.length} benches, ${unmet} targets unmet or errors)\n`,
);
