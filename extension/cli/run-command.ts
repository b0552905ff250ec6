/**
 * `isoscope run [--report FILE] [--port N] [--open] [--max-message-bytes N] [--max-queue-depth N]
 * [--threshold BYTES] -- <command…>` (contract 3): run a program under the agent, serve the live
 * inspector while it runs, write the report at exit. Exit code: the program's own (128+n for a
 * signal), 3 when a gate fails, 2 for bad usage or a command that cannot be started.
 * Everything Isoscope prints goes to stderr; the program's stdio is inherited untouched.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { agentEnvironment } from '../core/agent-env';
import { startCollector } from '../core/collector/collector';
import { startInspectorServer } from '../core/inspector-server';
import { IsolateModel } from '../core/model/model';
import { evaluateGates } from '../core/report/gates';
import { SourceMapper } from '../core/source-map/mapper';
import { openUrl } from './open-url';
import { parseRunArgs } from './run-args';
import { startStatusLine, summaryLines } from './run-output';
import { writeReportFile } from './write-report';

/** Exit code when a --max-… gate fails. */
export const GATE_FAILED_EXIT = 3;
/** Exit code for bad usage, including a command that does not exist. */
export const USAGE_EXIT = 2;
/** How long to wait after the program exits for its agents to flush their last frames. */
const FLUSH_WAIT_MS = 3000;

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

type ChildEnd =
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'spawn-error'; error: NodeJS.ErrnoException };

/** Runs `isoscope run`; resolves with the process exit code. */
export async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  const say = (line: string): void => void process.stderr.write(`isoscope: ${line}\n`);
  const agentPath = join(__dirname, 'agent.cjs');
  if (!existsSync(agentPath)) {
    say(`the agent bundle is missing (${agentPath}); build it with: npm run build`);
    return 1;
  }

  const model = new IsolateModel({ oversizedBytes: args.thresholdBytes, sourceMapper: new SourceMapper() });
  const collector = await startCollector({ model });
  const inspector = await startInspectorServer({
    model,
    port: args.port,
    webviewDir: join(__dirname, 'webview'),
    title: `Isoscope — ${args.command.join(' ')}`.slice(0, 200),
  }).catch(async (err: unknown) => {
    await collector.close();
    throw err;
  });
  say(`inspector at ${inspector.url} · running: ${args.command.join(' ')}`);
  if (args.open) openUrl(inspector.url, say);

  const env = agentEnvironment({
    collectorUrl: collector.url,
    token: collector.token,
    agentPath,
    baseEnv: process.env,
    notableBytes: args.thresholdBytes,
  });
  const startedAtMs = Date.now();
  const stopStatus = startStatusLine(model, process.stderr);
  const end = await runChild(args.command, env);
  stopStatus();

  let code: number;
  if (end.kind === 'spawn-error') {
    const e = end.error;
    say(
      e.code === 'ENOENT'
        ? `command not found: '${args.command[0]}' (is it installed and on PATH?)`
        : `could not start '${args.command[0]}': ${e.message}`,
    );
    code = USAGE_EXIT;
  } else {
    code = end.signal ? 128 + (osConstants.signals[end.signal] ?? 0) : (end.code ?? 1);
    const how = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.code}`;
    say(`${args.command.join(' ')} ${how} after ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s`);
  }

  // Let the agents' last batches and byes arrive, then map the last call sites.
  await collector.whenIdle(FLUSH_WAIT_MS);
  await model.settled();
  const report = model.toReport();
  const gates = evaluateGates(report, { maxMessageBytes: args.maxMessageBytes, maxQueueDepth: args.maxQueueDepth });
  if (gates.length) report.gates = gates;
  if (end.kind === 'exit') for (const line of summaryLines(report, process.cwd())) say(line);

  if (args.reportPath && !(await writeReportFile(args.reportPath, report, say))) {
    if (code === 0) code = 1;
  }
  await Promise.all([inspector.close(), collector.close()]);
  model.dispose();
  if (end.kind === 'exit' && gates.some((g) => !g.passed)) {
    say(`a gate failed: exiting with ${GATE_FAILED_EXIT}`);
    return GATE_FAILED_EXIT;
  }
  return code;
}

/** Spawns the program with inherited stdio, forwarding signals, and waits for it to end. */
function runChild(command: string[], env: NodeJS.ProcessEnv): Promise<ChildEnd> {
  return new Promise((resolveEnd) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals): void => {
      // On a terminal Ctrl-C reaches the child too; forwarding covers `kill <isoscope pid>`.
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const s of FORWARDED_SIGNALS) process.on(s, forward);
    const done = (end: ChildEnd): void => {
      for (const s of FORWARDED_SIGNALS) process.off(s, forward);
      resolveEnd(end);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      // 'error' without a pid means it never started; after a start, 'exit' still follows.
      if (child.pid === undefined) done({ kind: 'spawn-error', error });
    });
    child.once('exit', (code, signal) => done({ kind: 'exit', code, signal }));
  });
}
