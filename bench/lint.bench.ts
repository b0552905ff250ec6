/**
 * Lint benchmark: analysis time of a 5,000-line Dart file and a 5,000-line TS file (after an edit,
 * warm analyzers), and the time from a didChange to the matching publishDiagnostics through the real
 * language server over stdio. Targets: p95 ≤ 200 ms per analysis, ≤ 300 ms edit → diagnostics.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalysisEngine } from '../extension/language-server/analysis/engine';
import { startLsp } from '../test/helpers/lsp-client';

const ROUNDS = 30;

function dartFile(lines: number): string {
  const head = `import 'dart:isolate';\nimport 'dart:typed_data';\n\n`;
  const block = (i: number): string => `void worker${i}(SendPort out) {
  final Uint8List frame${i} = Uint8List(1 << 20);
  for (var k = 0; k < frame${i}.length; k++) {
    frame${i}[k] = k & 0xff;
  }
  final view${i} = frame${i}.buffer.asUint8List(0, 64);
  out.send(view${i});
  out.send(frame${i});
  out.send('done');
}

Future<void> start${i}() async {
  final inbox${i} = ReceivePort();
  await Isolate.spawn(worker${i}, inbox${i}.sendPort);
  inbox${i}.listen((msg) {
    final data = msg as Uint8List;
    print(data.length);
  });
}

`;
  let out = head;
  for (let i = 0; out.split('\n').length < lines; i++) out += block(i);
  return out;
}

function tsFile(lines: number): string {
  const head = `import { Worker, MessageChannel } from 'node:worker_threads';\n\n`;
  const block = (i: number): string => `export function job${i}(worker: Worker, n: number): number {
  const pixels${i} = new Uint8Array(1 << 20);
  for (let k = 0; k < n; k++) pixels${i}[k] = k & 0xff;
  worker.postMessage({ pixels${i}, n });
  const { port1 } = new MessageChannel();
  const samples${i} = new Float64Array(1 << 17);
  port1.postMessage(samples${i});
  const small${i} = new Uint8Array(16);
  worker.postMessage(small${i});
  return samples${i}.length + n;
}

`;
  let out = head;
  for (let i = 0; out.split('\n').length < lines; i++) out += block(i);
  return out;
}

function stats(samples: number[]): { medianMs: number; p95Ms: number; maxMs: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { medianMs: r(at(0.5)), p95Ms: r(at(0.95)), maxMs: r(s[s.length - 1]) };
}

async function analysisTimes(
  engine: AnalysisEngine,
  file: string,
  text: string,
): Promise<{ samples: number[]; findings: number; coldMs: number }> {
  let t = performance.now();
  engine.setFile(file, text);
  const findings = engine.analyze(file).length;
  const coldMs = performance.now() - t;
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // An edit each round (a changed comment), so the TS service re-parses and re-checks like after typing.
    engine.setFile(file, `${text}// edit ${i}\n`);
    t = performance.now();
    engine.analyze(file);
    samples.push(performance.now() - t);
  }
  return { samples, findings, coldMs };
}

async function editLatency(dir: string, file: string, text: string): Promise<number[]> {
  const lsp = await startLsp(dir);
  const uri = `file://${file}`;
  try {
    await lsp.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'typescript', version: 1, text },
    });
    const base = (await lsp.diagnostics(uri, (d) => d.length > 0)).length;
    const extra = `\nexport function extra(w: Worker): void {\n  const big = new Float32Array(1 << 20);\n  w.postMessage(big);\n}\n`;
    const samples: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const withExtra = i % 2 === 0;
      const t = performance.now();
      await lsp.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: i + 2 },
        contentChanges: [{ text: withExtra ? text + extra : text }],
      });
      await lsp.diagnostics(uri, (d) => d.length === base + (withExtra ? 1 : 0));
      samples.push(performance.now() - t);
    }
    return samples;
  } finally {
    await lsp.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-lint-bench-'));
  try {
    const dart = dartFile(5000);
    const ts = tsFile(5000);
    const dartPath = join(dir, 'big.dart');
    const tsPath = join(dir, 'big.ts');
    writeFileSync(tsPath, ts);
    const engine = new AnalysisEngine({ workspaceRoots: [process.cwd()] });
    await engine.init();
    process.stderr.write('lint bench: dart analysis…\n');
    const d = await analysisTimes(engine, dartPath, dart);
    process.stderr.write('lint bench: ts analysis…\n');
    const t = await analysisTimes(engine, tsPath, ts);
    engine.dispose();
    process.stderr.write('lint bench: edit → diagnostics through the server…\n');
    const edit = stats(await editLatency(dir, tsPath, ts));
    const dartStats = stats(d.samples);
    const tsStats = stats(t.samples);
    const result = {
      name: 'lint',
      results: {
        dart5000: { lines: dart.split('\n').length, findings: d.findings, coldMs: Math.round(d.coldMs), ...dartStats },
        ts5000: { lines: ts.split('\n').length, findings: t.findings, coldMs: Math.round(t.coldMs), ...tsStats },
        editToDiagnosticsTs5000: edit,
        rounds: ROUNDS,
      },
      targets: [
        {
          name: 'dart 5,000 lines analysis p95 (ms)',
          target: 200,
          actual: dartStats.p95Ms,
          met: dartStats.p95Ms <= 200,
        },
        { name: 'ts 5,000 lines analysis p95 (ms)', target: 200, actual: tsStats.p95Ms, met: tsStats.p95Ms <= 200 },
        {
          name: 'edit → diagnostics p95 (ms, 5,000-line TS, real server)',
          target: 300,
          actual: edit.p95Ms,
          met: edit.p95Ms <= 300,
        },
      ],
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
