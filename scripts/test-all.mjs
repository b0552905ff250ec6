// `npm test`: every check, in order, ending with one line "N passed, N failed".
// Stages: format, typecheck, lint, build, unit, integration (Node 20), agent suite (Node 24),
// browser (Debian chromium), VS Code (code-server). Nothing is skipped silently: a stage that
// cannot run fails and says why. `--only a,b` runs the named stages (for local work).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureChromium, ensureNode24 } from './setup/ensure.mjs';

const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1].split(',') : null;
const workDir = mkdtempSync(join(tmpdir(), 'isoscope-test-'));

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...testFiles(full));
    else if (/\.test\.(ts|mjs)$/.test(name)) found.push(full);
  }
  return found;
}

/** A node:test stage: runs files with tsx, the spec reporter on stdout and counts to a file. */
function nodeTestStage(name, { dirs, exclude = [], node = () => process.execPath, concurrency = 1, setup = () => {} }) {
  return {
    name,
    run(countsFile) {
      setup();
      const files = dirs.flatMap(testFiles).filter((f) => !exclude.some((e) => f.startsWith(e)));
      if (files.length === 0) return { status: 1, why: `no test files found in ${dirs.join(', ')}` };
      const args = [
        '--import',
        'tsx',
        '--test',
        `--test-concurrency=${concurrency}`,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=./scripts/count-reporter.mjs',
        `--test-reporter-destination=${countsFile}`,
        ...files,
      ];
      return spawnSync(node(), args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
    },
  };
}

/** A stage that is one check (format, typecheck…): one pass or one failure. */
function commandStage(name, cmd, args) {
  return { name, single: true, run: () => spawnSync(cmd, args, { stdio: 'inherit' }) };
}

const npx = (bin) => join('node_modules', '.bin', bin);
const stages = [
  commandStage('format', npx('prettier'), ['--check', '.', '--log-level', 'warn']),
  commandStage('typecheck', process.execPath, ['scripts/typecheck.mjs']),
  commandStage('lint', npx('eslint'), ['.']),
  commandStage('build', process.execPath, ['esbuild.mjs']),
  nodeTestStage('unit', { dirs: ['test/unit'], concurrency: 2 }),
  nodeTestStage('integration', { dirs: ['test/integration'] }),
  nodeTestStage('agent-node24', { dirs: ['test/integration/agent'], node: ensureNode24 }),
  nodeTestStage('browser', { dirs: ['test/browser'], setup: ensureChromium }),
  {
    name: 'vscode',
    // The code-server runner writes its mocha/playwright counts in the same JSON shape.
    run: (countsFile) =>
      spawnSync(process.execPath, ['test/vscode/run-code-server.mjs'], {
        stdio: 'inherit',
        env: { ...process.env, ISOSCOPE_COUNTS_FILE: countsFile },
      }),
  },
];

let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];
for (const stage of stages) {
  if (only && !only.includes(stage.name)) continue;
  console.log(`\n=== ${stage.name} ===`);
  const countsFile = join(workDir, `${stage.name}.json`);
  let result;
  try {
    result = stage.run(countsFile);
  } catch (err) {
    result = { status: 1, why: err instanceof Error ? err.message : String(err) };
  }
  if (stage.single) {
    if (result.status === 0) passed++;
    else {
      failed++;
      problems.push(`${stage.name}: failed`);
    }
    continue;
  }
  let counts = null;
  if (existsSync(countsFile)) {
    const lines = readFileSync(countsFile, 'utf8').trim().split('\n').filter(Boolean);
    if (lines.length) counts = JSON.parse(lines[lines.length - 1]);
  }
  if (!counts) {
    failed++;
    problems.push(`${stage.name}: produced no results (${result.why ?? `exit ${result.status ?? result.signal}`})`);
    continue;
  }
  passed += counts.passed;
  failed += counts.failed;
  skipped += counts.skipped;
  for (const n of counts.failedNames ?? []) problems.push(`${stage.name}: ${n}`);
  for (const n of counts.skippedNames ?? []) problems.push(`${stage.name}: skipped ${n}`);
  if (result.status !== 0 && counts.failed === 0) {
    failed++;
    problems.push(`${stage.name}: exited ${result.status ?? result.signal} ${result.why ?? ''}`);
  }
}

if (problems.length) console.log(`\nProblems:\n  ${problems.join('\n  ')}`);
// Skips count as failures: a test that did not run proves nothing.
failed += skipped;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
