/**
 * `isoscope connect <vm-service-uri> [--report FILE] [--duration SECONDS] [--port N] [--open]`
 * (contract 4): attach to a running Dart VM service, serve the live inspector on 127.0.0.1, and
 * write the report when we detach — on Ctrl-C, SIGTERM or a hang-up (SIGHUP), when the VM goes
 * away, or after --duration — and print the summary, as `run` does; a detach exits 0 whatever
 * ended it (docs/cli.md).
 * A wrong token or an unreachable URI is a clear error and exit 1, never a hang; a busy --port is
 * one line and exit 2, like bad usage (as for `isoscope run`). The inspector port is taken first,
 * so a busy one costs no VM attach.
 */
import { join } from 'node:path';
import { connectDartVm, normalizeVmServiceUri, VmServiceUriError, type DartVmHandle } from '../core/dart';
import { startInspectorServer, type InspectorServer } from '../core/inspector-server';
import { IsolateModel } from '../core/model/model';
import { openUrl } from './open-url';
import { releaseHungUpTerminals, sayTo, stdioTerminals, summaryLines } from './run-output';
import { portProblem, UsageError } from './usage';
import { writeReportFile } from './write-report';

/** Exit code for a --port that cannot be listened on: bad usage, as for `isoscope run`. */
const PORT_PROBLEM_EXIT = 2;

/** Parsed `connect` arguments. */
export interface ConnectArgs {
  uri: string;
  reportPath: string | null;
  durationMs: number | null;
  port: number;
  open: boolean;
}

/** Parses `connect` arguments; throws UsageError (exit 2) on anything wrong. */
export function parseConnectArgs(args: string[]): ConnectArgs {
  const out: ConnectArgs = { uri: '', reportPath: null, durationMs: null, port: 0, open: false };
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    switch (a) {
      case '--report':
        // An empty value (`--report "$OUT"` with OUT unset) would silently write no report.
        out.reportPath = value(i++, a);
        if (out.reportPath === '') throw new UsageError('--report needs a file name');
        break;
      case '--duration': {
        const text = value(i++, a);
        const s = Number(text);
        if (text.trim() === '' || !Number.isFinite(s) || s <= 0)
          throw new UsageError('--duration takes a positive number of seconds');
        out.durationMs = s * 1000;
        break;
      }
      case '--port': {
        const text = value(i++, a);
        const p = Number(text);
        if (!/^\d+$/.test(text.trim()) || p > 65535) throw new UsageError('--port takes a port number (0-65535)');
        out.port = p;
        break;
      }
      case '--open':
        out.open = true;
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option '${a}' for connect`);
        if (out.uri) throw new UsageError(`connect takes one VM service URI, got '${out.uri}' and '${a}'`);
        out.uri = a;
    }
  }
  if (!out.uri) throw new UsageError('connect needs the VM service URI the Dart app printed');
  try {
    normalizeVmServiceUri(out.uri);
  } catch (err) {
    if (err instanceof VmServiceUriError) throw new UsageError(err.message);
    throw err;
  }
  return out;
}

/** Runs `isoscope connect`; resolves with the exit code. */
export async function connectCommand(argv: string[]): Promise<number> {
  const args = parseConnectArgs(argv);
  const model = new IsolateModel();
  const terminalsAtStart = stdioTerminals();
  // Lines carry what the VM sent (isolate names, error messages): controls shown as code points,
  // and each line cut, so a VM cannot restyle the terminal or flood it with one error. Best
  // effort, as for `run`: a hung-up terminal (EIO) or a closed pipe must not stop the report.
  const sayLine = sayTo(process.stderr);
  const say = (line: string): void => sayLine(clipLine(line));
  let server: InspectorServer;
  try {
    server = await startInspectorServer({
      model,
      port: args.port,
      webviewDir: join(__dirname, 'webview'),
      title: 'Isoscope — Dart VM',
    });
  } catch (err) {
    model.dispose();
    const problem = portProblem(args.port, err);
    say(
      problem ?? `cannot serve the inspector on port ${args.port}: ${err instanceof Error ? err.message : String(err)}`,
    );
    return problem !== null ? PORT_PROBLEM_EXIT : 1;
  }
  let handle: DartVmHandle;
  try {
    handle = await connectDartVm({ uri: args.uri, model, log: (m) => say(m) });
  } catch (err) {
    say(err instanceof Error ? err.message : String(err));
    await server.close();
    model.dispose();
    return 1;
  }
  // Listening for the signals before saying we are attached: a hang-up right after that line
  // (a terminal closed as soon as it showed it) must detach too, not kill the process.
  // A second hang-up can follow the first (the kernel's, then the shell's to its jobs): once
  // detaching, SIGHUP is ignored to the end (a signal listener does not keep Node running) instead
  // of killing the process before the report is written or the exit code is set.
  const ignoreHangUp = (): void => undefined;
  const detach = waitForDetach(handle, args.durationMs, () => process.on('SIGHUP', ignoreHangUp));
  process.stdout.write(`Isoscope inspector: ${server.url}\n`);
  say(`attached to the Dart VM at ${handle.wsUri}; Ctrl-C to detach${args.reportPath ? ' and write the report' : ''}`);
  if (args.open) openUrl(server.url, say);

  const why = await detach;
  say(`detaching: ${why}`);
  const vmGone = handle.status === 'disconnected';
  // Detaching ends the attach, not the isolates: those still running keep exitedAtMs null in the
  // report ("still running when the run ended", as for `isoscope run`). When the VM went away its
  // isolates ended with it (the handle has marked them exited already).
  await handle.dispose({ isolatesRunOn: true });
  await model.settled();
  const report = model.toReport();
  // As `run` does: the report first (whatever happens to stderr afterwards, it is on disk), then
  // the summary, with or without --report, then what became of the report.
  const reportLines: string[] = [];
  const reportWritten =
    args.reportPath === null || (await writeReportFile(args.reportPath, report, (l) => reportLines.push(l)));
  for (const line of summaryLines(report, process.cwd())) say(line);
  // The VM service itself tells nothing of messages: "0 messages" above means none were seen.
  if (report.channels.length === 0 && report.callSites.length === 0)
    say('no message traffic seen: message counts, sizes and call sites come from the isoscope_agent package');
  for (const line of reportLines) say(line);
  const code = reportWritten ? 0 : 1;
  // Open pages keep the last data once the server closes: say why it stopped.
  server.setStatus({
    text: vmGone
      ? `Detached: ${why}; its isolates are shown as exited. This is the final data; the inspector has stopped.`
      : `Detached from the Dart VM (${why}); isolates still running then are shown as running. This is the final data; the inspector has stopped.`,
    level: vmGone ? 'warning' : 'info',
  });
  await server.close();
  model.dispose();
  // After a hang-up, Node 20 aborts at exit resetting a terminal that is gone (see run).
  releaseHungUpTerminals(terminalsAtStart);
  return code;
}

/** The longest line `connect` prints (a VM's error message can be megabytes). */
const MAX_LINE_CHARS = 2000;

function clipLine(line: string): string {
  return line.length > MAX_LINE_CHARS
    ? `${line.slice(0, MAX_LINE_CHARS)}… (${line.length - MAX_LINE_CHARS} more characters)`
    : line;
}

/** The longest delay setTimeout takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves with the first reason to detach: Ctrl-C/SIGTERM, a hang-up (SIGHUP: the terminal
 * closed, an ssh link dropped), the VM going away, or --duration. `detaching` runs as the signal
 * listeners are removed.
 */
function waitForDetach(handle: DartVmHandle, durationMs: number | null, detaching: () => void): Promise<string> {
  return new Promise<string>((resolveReason) => {
    const finish = (reason: string): void => {
      if (timer) clearTimeout(timer);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGHUP', onHangUp);
      detaching();
      sub.dispose();
      resolveReason(reason);
    };
    const onSignal = (): void => finish('interrupted');
    const onHangUp = (): void => finish('hung up (SIGHUP)');
    // setTimeout holds at most 2^31 - 1 ms (~24.8 days; Node turns a longer delay into 1 ms): a
    // longer --duration waits in steps.
    const endAtMs = durationMs !== null ? Date.now() + durationMs : null;
    let timer: NodeJS.Timeout | null = null;
    const wait = (): void => {
      if (endAtMs === null) return;
      const left = endAtMs - Date.now();
      if (left <= 0) finish('duration elapsed');
      else timer = setTimeout(wait, Math.min(left, MAX_TIMER_MS));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onHangUp);
    const sub = handle.onDidDisconnect((reason) => finish(`the VM went away (${reason})`));
    wait();
    if (handle.status === 'disconnected') finish(`the VM went away (${handle.lastDisconnectReason ?? 'closed'})`);
  });
}
