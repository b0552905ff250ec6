/**
 * `isoscope run [--report FILE] [--port N] [--open] [--max-message-bytes N] [--max-queue-depth N]
 * [--threshold BYTES] [--no-status] -- <command…>` (contract 3): run a program under the agent,
 * serve the live inspector while it runs, write the report at exit. Exit code: the program's own
 * (128+n for a signal); when that is 0, 3 when a gate failed and 1 when the report could not be
 * written; 2 for bad usage, a --port in use, or a command that cannot be started.
 * Everything Isoscope prints goes to stderr; the program's stdio is inherited untouched.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../protocol';
import { agentEnvironment } from '../core/agent-env';
import { startCollector } from '../core/collector/collector';
import { startInspectorServer, type InspectorServer } from '../core/inspector-server';
import { IsolateModel } from '../core/model/model';
import { evaluateGates } from '../core/report/gates';
import { SourceMapper } from '../core/source-map/mapper';
import { openUrl } from './open-url';
import { procStat } from './proc-stat';
import { parseRunArgs } from './run-args';
import {
  endedText,
  endOfRunStatus,
  notProfiledText,
  releaseHungUpTerminals,
  sayTo,
  startOnFreshLine,
  startStatusLine,
  stdioTerminals,
  summaryLines,
} from './run-output';
import { portProblem } from './usage';
import { writeReportFile } from './write-report';

/** Exit code when a --max-… gate fails (and the program exited 0). */
export const GATE_FAILED_EXIT = 3;
/** Exit code for bad usage, including a command that does not exist and a --port in use. */
export const USAGE_EXIT = 2;
/**
 * How long agents still connected when the program exits get to send their last frames. The
 * program's own agent has sent its bye before its process ended; a process that outlives the
 * program (a detached daemon) does not hold the run up longer than this.
 */
export const FINAL_FRAMES_GRACE_MS = 500;

/** Signals Isoscope passes on to the program (docs/cli.md, "Signals"). */
export const RELAYED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
/** A signal Isoscope passes on. */
export type RelayedSignal = (typeof RELAYED_SIGNALS)[number];
/** What a terminal sends to its whole foreground process group, the program included. */
const TERMINAL_SIGNALS: ReadonlySet<RelayedSignal> = new Set(['SIGINT', 'SIGQUIT']);

/** How the program is started and which signals Isoscope relays to it. */
export interface SignalPlan {
  /** Start the program in its own session and process group (relays go to that group). */
  ownGroup: boolean;
  relays(signal: RelayedSignal): boolean;
}

/** Where Isoscope sits in job control: see `terminalPosition`. */
export interface TerminalPosition {
  /** It has a controlling terminal. */
  controllingTerminal: boolean;
  /** It leads its session (the terminal's hang-up SIGHUP goes to it alone, not its group). */
  sessionLeader: boolean;
}

/**
 * Every signal reaches the program once. With a controlling terminal the program stays in
 * Isoscope's process group, so it keeps the terminal (input, Ctrl-Z, /dev/tty). The terminal
 * delivers SIGINT and SIGQUIT to that whole group, so they are not relayed; on a hang-up the
 * session leader gets SIGHUP (a shell passes it on to its jobs' groups), so it is relayed only
 * when Isoscope leads the session; SIGTERM is relayed. Without a controlling terminal (CI,
 * scripts, setsid) the program gets its own process group and every signal Isoscope gets is
 * relayed to it, so a signal sent to Isoscope's group (timeout(1), a job runner) arrives once.
 * Windows has no process groups to speak of: everything is relayed to the program, as before.
 */
export function signalPlan(at: TerminalPosition, platform: NodeJS.Platform = process.platform): SignalPlan {
  if (platform === 'win32') return { ownGroup: false, relays: () => true };
  if (!at.controllingTerminal) return { ownGroup: true, relays: () => true };
  return {
    ownGroup: false,
    relays: (s) => !TERMINAL_SIGNALS.has(s) && (s !== 'SIGHUP' || at.sessionLeader),
  };
}

/** Isoscope's place in job control: a controlling terminal (/dev/tty opens), a session it leads (Linux). */
function terminalPosition(): TerminalPosition {
  let controllingTerminal = false;
  try {
    closeSync(openSync('/dev/tty', 'r'));
    controllingTerminal = true;
  } catch {
    // ENXIO: no controlling terminal (or no /dev/tty at all).
  }
  // No procfs (macOS): take the common case, a shell leads the session.
  const sessionLeader = procStat(process.pid)?.session === process.pid;
  return { controllingTerminal, sessionLeader };
}

/**
 * The run's exit code: the program's own when it failed (CI must tell "the program failed" from
 * "a gate failed"); a 0 becomes 3 when a gate failed, else 1 when the report could not be written.
 */
export function runExitCode(programCode: number, gateFailed: boolean, reportWritten: boolean): number {
  if (programCode !== 0) return programCode;
  if (gateFailed) return GATE_FAILED_EXIT;
  return reportWritten ? 0 : 1;
}

type ChildEnd =
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null; atMs: number }
  | { kind: 'spawn-error'; error: NodeJS.ErrnoException; atMs: number };

/** Runs `isoscope run`; resolves with the process exit code. */
export async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  const say = sayTo(process.stderr);
  const terminalsAtStart = stdioTerminals();
  const agentPath = join(__dirname, 'agent.cjs');
  if (!existsSync(agentPath)) {
    say(`the agent bundle is missing (${agentPath}); build it with: npm run build`);
    return 1;
  }

  const model = new IsolateModel({ oversizedBytes: args.thresholdBytes, sourceMapper: new SourceMapper() });
  const collector = await startCollector({ model });
  let inspector: InspectorServer;
  try {
    inspector = await startInspectorServer({
      model,
      port: args.port,
      webviewDir: join(__dirname, 'webview'),
      title: `Isoscope — ${args.command.join(' ')}`.slice(0, 200),
    });
  } catch (err) {
    await collector.close();
    model.dispose();
    const problem = portProblem(args.port, err);
    if (problem === null) throw err;
    say(problem);
    return USAGE_EXIT;
  }
  say(`inspector at ${inspector.url} · running: ${args.command.join(' ')}`);
  if (args.open) openUrl(inspector.url, say);

  const env = agentEnvironment({
    collectorUrl: collector.url,
    token: collector.token,
    agentPath,
    baseEnv: process.env,
    notableBytes: args.thresholdBytes,
    // The message-size gate judges the largest message: every send is sized, none sampled.
    sizeAll: args.maxMessageBytes !== undefined,
  });
  const startedAtMs = Date.now();
  const stopStatus = startStatusLine(model, process.stderr, { enabled: args.status });
  const end = await runChild(args.command, env, signalPlan(terminalPosition()));
  stopStatus();
  startOnFreshLine(process.stderr);

  let programCode: number;
  if (end.kind === 'spawn-error') {
    const e = end.error;
    say(
      e.code === 'ENOENT'
        ? `command not found: '${args.command[0]}' (is it installed and on PATH?)`
        : `could not start '${args.command[0]}': ${e.message}`,
    );
    programCode = USAGE_EXIT;
  } else {
    programCode = end.signal ? 128 + (osConstants.signals[end.signal] ?? 0) : (end.code ?? 1);
    say(endedText(args.command, end, startedAtMs));
  }

  // Let the agents' last batches and byes arrive, then map the last call sites. The run ends at
  // the program's exit: processes that outlive it neither hold it up nor stretch durationMs.
  await collector.whenIdle(FINAL_FRAMES_GRACE_MS);
  await model.settled();
  const profiled = collector.stats().sessionsOpened > 0;
  const report: Report & { warnings?: string[] } = model.toReport({ endedAtMs: end.atMs });
  const gates = evaluateGates(
    report,
    { maxMessageBytes: args.maxMessageBytes, maxQueueDepth: args.maxQueueDepth },
    { profiled },
  );
  if (gates.length) report.gates = gates;
  const notProfiled = end.kind === 'exit' && !profiled ? notProfiledText(end, startedAtMs) : null;
  if (notProfiled !== null) report.warnings = [notProfiled];
  if (end.kind === 'spawn-error') report.warnings = [`the command could not be started: ${end.error.message}`];

  // The report first: whatever happens to stderr afterwards, it is on disk.
  const reportLines: string[] = [];
  const reportWritten =
    args.reportPath === null || (await writeReportFile(args.reportPath, report, (l) => reportLines.push(l)));
  if (notProfiled !== null) say(`warning: ${notProfiled}`);
  if (end.kind === 'exit') for (const line of summaryLines(report, process.cwd(), { profiled })) say(line);
  for (const line of reportLines) say(line);
  // Open pages keep the last data once the server closes: say why it stopped, not just "disconnected".
  inspector.setStatus(endOfRunStatus(args.command, end, startedAtMs, profiled));

  await Promise.all([inspector.close(), collector.close()]);
  model.dispose();
  const gateFailed = end.kind === 'exit' && gates.some((g) => !g.passed);
  const code = runExitCode(programCode, gateFailed, reportWritten);
  if (gateFailed) {
    say(
      code === GATE_FAILED_EXIT
        ? `a gate failed: exiting with ${GATE_FAILED_EXIT}`
        : `a gate failed, and the program's own exit code ${code} is kept (a gate turns only a 0 into ${GATE_FAILED_EXIT})`,
    );
  }
  releaseHungUpTerminals(terminalsAtStart);
  return code;
}

/** Spawns the program with inherited stdio, relaying signals as `plan` says, and waits for it to end. */
function runChild(command: string[], env: NodeJS.ProcessEnv, plan: SignalPlan): Promise<ChildEnd> {
  return new Promise((resolveEnd) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env, detached: plan.ownGroup });
    const relay = (signal: RelayedSignal): void => {
      const pid = child.pid;
      if (!plan.relays(signal) || pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        // Its whole group, as a signal to Isoscope's group would have reached it without Isoscope.
        if (plan.ownGroup) process.kill(-pid, signal);
        else child.kill(signal);
      } catch {
        // The group is gone but the program may not be (it left the group): try it alone.
        child.kill(signal);
      }
    };
    // Listening also keeps Isoscope alive until the program ends, so the report gets written.
    for (const s of RELAYED_SIGNALS) process.on(s, relay);
    const done = (end: ChildEnd): void => {
      for (const s of RELAYED_SIGNALS) process.off(s, relay);
      resolveEnd(end);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      // 'error' without a pid means it never started; after a start, 'exit' still follows.
      if (child.pid === undefined) done({ kind: 'spawn-error', error, atMs: Date.now() });
    });
    child.once('exit', (code, signal) => done({ kind: 'exit', code, signal, atMs: Date.now() }));
  });
}
