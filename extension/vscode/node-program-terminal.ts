/**
 * The terminal "Profile Node Program…" runs a program in: a pseudoterminal that spawns `node` and
 * stays open after the program ends, with its exit code, so its output (a crash's stack trace, a
 * "Cannot find module") stays readable. A `shellPath: 'node'` terminal closed with the process and
 * took the output with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';

/** What to run: `node <program> <args…>` in `cwd` with `env` (the complete environment). */
export interface NodeProgramSpec {
  program: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** How the run ended: the exit code, or null when a signal ended it or node did not start. */
export type NodeExit = { code: number | null; signal: NodeJS.Signals | null; error: string | null };

/** How much of the output `output()` keeps. */
const TRANSCRIPT_CHARS = 1 << 20;
const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

/** Terminal text: LF → CRLF (the terminal does no line discipline for a pseudoterminal). */
const toTerminal = (text: string): string => text.replace(/\r?\n/g, '\r\n');

/** A pseudoterminal running one node program; `exited` settles when it ends. */
export class NodeProgramTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private child: ChildProcess | null = null;
  private transcript = '';
  private ended = false;
  private settle: (exit: NodeExit) => void = () => undefined;
  /** Settles once the program ended (or could not start). */
  readonly exited = new Promise<NodeExit>((resolve) => (this.settle = resolve));

  constructor(private readonly spec: NodeProgramSpec) {}

  /** Everything written to the terminal so far (for tests and the output channel). */
  output(): string {
    return this.transcript;
  }

  open(): void {
    const { program, args, cwd, env } = this.spec;
    this.write(`${DIM}node ${[program, ...args].join(' ')}${RESET}\n`);
    let child: ChildProcess;
    try {
      child = spawn('node', [program, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      this.end({ code: null, signal: null, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.write(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.write(chunk));
    // EPIPE when the program doesn't read its stdin: nothing to tell the user.
    child.stdin?.on('error', () => undefined);
    child.on('error', (err) => this.end({ code: null, signal: null, error: err.message }));
    child.on('close', (code, signal) => this.end({ code, signal, error: null }));
  }

  /** Typed input goes to the program's stdin (echoed, since there is no tty); Ctrl+C interrupts. */
  handleInput(data: string): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    if (data === '\x03') {
      child.kill('SIGINT');
      return;
    }
    const text = data.replace(/\r/g, '\n');
    this.written.fire(toTerminal(text));
    child.stdin?.write(text);
  }

  /** The user closed the terminal: a program still running is stopped. */
  close(): void {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
    this.written.dispose();
    this.closed.dispose();
  }

  private write(text: string): void {
    this.transcript += text;
    // Keep the tail of a chatty long-running program, not all of it.
    if (this.transcript.length > TRANSCRIPT_CHARS) this.transcript = this.transcript.slice(-TRANSCRIPT_CHARS / 2);
    this.written.fire(toTerminal(text));
  }

  private end(exit: NodeExit): void {
    if (this.ended) return;
    this.ended = true;
    if (exit.error !== null)
      this.write(`\n${RED}Could not run node: ${exit.error}. Is Node.js installed and on the PATH?${RESET}\n`);
    else if (exit.signal !== null) this.write(`\n${DIM}[program ended by ${exit.signal}]${RESET}\n`);
    else this.write(`\n${exit.code === 0 ? DIM : RED}[program exited with code ${exit.code}]${RESET}\n`);
    this.settle(exit);
  }
}
