/**
 * `isoscope.collectorPort` changed after the collector started: with no program connected, the
 * collector moves to the new port (new programs and terminals get the new address).
 */
import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import * as vscode from 'vscode';
import { isoscope, waitFor, withSetting } from '../helpers';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).on('error', reject));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('collector port setting', () => {
  it('changing isoscope.collectorPort moves a started collector to that port', async () => {
    const api = await isoscope();
    const before = await api.endpoint();
    // Programs of earlier tests must be gone: a collector with connected agents stays put.
    await waitFor(
      'earlier profiled programs to end',
      () => api.model.snapshot().isolates.every((i) => i.state !== 'running'),
      90_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const port = await freePort();
    const restore = await withSetting('collectorPort', port);
    try {
      await waitFor(
        'the setting to apply',
        () => vscode.workspace.getConfiguration('isoscope').get('collectorPort') === port,
      );
      await api.collectorPortSettled();
      const after = await api.endpoint();
      assert.match(after.collectorUrl, new RegExp(`^ws://127\\.0\\.0\\.1:${port}/`), after.collectorUrl);
      assert.notEqual(after.collectorUrl, before.collectorUrl);
    } finally {
      await restore();
      await api.collectorPortSettled();
    }
    const back = await api.endpoint();
    assert.doesNotMatch(back.collectorUrl, new RegExp(`:${port}/`), 'port 0 again: another free port');
  });
});
