// End to end: `isoscope connect` (the built CLI, a real child process) attached to the scripted
// VM-service peer — spec-derived fixtures plus recorded CpuSamples over a real WebSocket, NOT a
// Dart VM (no Dart SDK here) — serves an inspector that real Chromium renders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { launchChromium } from '../helpers/chromium';
import { loadVmFixture, startScriptedVmService } from '../helpers/scripted-vm-service';

const cli = join(__dirname, '..', '..', 'dist', 'cli.cjs');

test('isoscope connect serves an inspector listing the Dart isolates by name with memory, CPU, queue and ports (scripted peer: spec-derived + recorded)', async () => {
  const peer = await startScriptedVmService();
  // Real recorded CpuSamples (flutter/devtools, BSD-3) for the decoder: 68 × 250 µs = 17 ms.
  peer.cpuSamplesByIsolate.set(
    'isolates/1002',
    loadVmFixture('recorded/devtools_allocation_trace.getAllocationTraces.json'),
  );
  const child = spawn(process.execPath, [cli, 'connect', peer.httpUri, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const browser = await launchChromium();
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Isoscope inspector: (http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`CLI exited (${code}) before serving: ${stderr}`)));
    });
    const page = await browser.context.newPage();
    await page.goto(url);

    const row = (name: string) =>
      page.locator('tr[data-isolate-id]', { has: page.locator(`button.name:text-is("${name}")`) });
    // Columns: name, runtime, state, CPU %, CPU time, heap used / capacity, queue, …
    const cell = (name: string, n: number) => row(name).locator(`td:nth-child(${n})`);
    await row('main').waitFor({ timeout: 30_000 });
    await row('image-decoder').waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('tr[data-isolate-id]')).some(
          (tr) =>
            tr.textContent?.includes('image-decoder') && tr.querySelector('td:nth-child(5)')?.textContent === '17 ms',
        ),
      null,
      { timeout: 60_000 },
    );
    assert.equal(await cell('image-decoder', 2).textContent(), 'dart');
    assert.equal(await cell('image-decoder', 3).textContent(), 'running');
    assert.equal(await cell('image-decoder', 5).textContent(), '17 ms');
    // The two isolates share one group heap (spec-derived getIsolateGroupMemoryUsage: 12 / 24 MiB).
    assert.match((await cell('image-decoder', 6).textContent()) ?? '', /12 MiB \/ 24 MiB/);
    assert.match((await cell('main', 6).textContent()) ?? '', /12 MiB \/ 24 MiB/);
    // Two pending messages in the spec-derived getStack queue.
    assert.equal(await cell('image-decoder', 7).locator('span.num').textContent(), '2');
    assert.equal(await page.locator('tr[data-isolate-id]', { hasText: 'vm-service' }).count(), 0);

    // The isolate page lists its open ports with debug names and allocation sites.
    await row('image-decoder').locator('button.name').click();
    await page.getByText('decoder-results').first().waitFor({ timeout: 30_000 });
    await page.getByText('#0 main (file:///app/bin/main.dart:12:20)').first().waitFor({ timeout: 30_000 });
    assert.ok((await page.getByText('N/A').count()) >= 1, 'a port without a debug name shows N/A');
    if (process.env.ISOSCOPE_SCREENSHOT_DIR) {
      await page.screenshot({ path: join(process.env.ISOSCOPE_SCREENSHOT_DIR, 'dart-connect.png') });
    }
  } finally {
    await browser.close();
    child.kill('SIGINT');
    await exited;
    await peer.close();
  }
});
