import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentEnvironment } from '../../extension/core/agent-env';

const base = { collectorUrl: 'ws://127.0.0.1:1/agent', token: 't0k' };

test('appends --require to existing NODE_OPTIONS and sets the collector variables', () => {
  const env = agentEnvironment({
    ...base,
    agentPath: '/opt/isoscope/dist/agent.cjs',
    baseEnv: { NODE_OPTIONS: '--max-old-space-size=512', PATH: '/bin' },
    notableBytes: 1000,
  });
  assert.equal(env.NODE_OPTIONS, '--max-old-space-size=512 --require /opt/isoscope/dist/agent.cjs');
  assert.equal(env.ISOSCOPE_COLLECTOR, base.collectorUrl);
  assert.equal(env.ISOSCOPE_TOKEN, 't0k');
  assert.equal(env.ISOSCOPE_NOTABLE_BYTES, '1000');
  assert.equal(env.PATH, '/bin');
  // Applying it twice does not load the agent twice.
  const again = agentEnvironment({ ...base, agentPath: '/opt/isoscope/dist/agent.cjs', baseEnv: env });
  assert.equal(again.NODE_OPTIONS, env.NODE_OPTIONS);
});

test('a preload path with spaces and quotes is quoted so real Node loads it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope env '));
  try {
    const weird = join(dir, 'my "agent" dir');
    mkdirSync(weird);
    const agentPath = join(weird, 'agent.cjs');
    writeFileSync(agentPath, 'process.stdout.write("preloaded;")\n');
    const env = agentEnvironment({ ...base, agentPath, baseEnv: { ...process.env, NODE_OPTIONS: '' } });
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write("app")'], { env, encoding: 'utf8' });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'preloaded;app');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
