/**
 * Test helper: runs a test app as a child process, with or without the built agent preloaded,
 * and captures stdout, stderr, exit code and wall time. Uses the same Node binary as the test
 * runner, so the agent-node24 stage exercises Node 24.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FrameSink } from './frame-sink';

/** Absolute path of the built agent. */
export const AGENT_PATH = resolve('dist/agent.cjs');

/** Throws a clear error when the agent has not been built. */
export function assertAgentBuilt(): void {
  if (!existsSync(AGENT_PATH) || !existsSync(resolve('dist/agent-exporter.cjs'))) {
    throw new Error(`${AGENT_PATH} is missing: run \`node esbuild.mjs\` (npm run build) before the agent tests`);
  }
}

/** What one run produced. */
export interface AppRun {
  stdout: string;
  stderr: string;
  code: number | null;
  wallMs: number;
  /** The app's process id (what its agent's `hello` announces). */
  pid: number;
}

/** Options of one run. */
export interface RunOptions {
  agent: boolean;
  sink?: FrameSink;
  /** Collector URL to use instead of the sink's (e.g. a closed port). */
  collectorUrl?: string;
  env?: Record<string, string>;
  args?: string[];
  /** Node flags before the app (e.g. process-wide V8 flags). */
  nodeArgs?: string[];
  /** Load the agent through NODE_OPTIONS, as `isoscope run` does, instead of `--require`. */
  viaNodeOptions?: boolean;
  timeoutMs?: number;
}

/** Runs `node [--require agent] <app> [args]` and resolves when it exits. */
export function runApp(app: string, opts: RunOptions): Promise<AppRun> {
  if (opts.agent) assertAgentBuilt();
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('ISOSCOPE_') && !(opts.env && k in opts.env)) delete env[k];
  if (opts.agent) {
    const url = opts.collectorUrl ?? opts.sink?.url;
    if (url !== undefined) env.ISOSCOPE_COLLECTOR = url;
    if (opts.sink !== undefined && opts.env?.ISOSCOPE_TOKEN === undefined) env.ISOSCOPE_TOKEN = opts.sink.token;
  }
  if (opts.agent && opts.viaNodeOptions) env.NODE_OPTIONS = `--require "${AGENT_PATH}"`;
  const preload = opts.agent && !opts.viaNodeOptions ? ['--require', AGENT_PATH] : [];
  const argv = [...(opts.nodeArgs ?? []), ...preload, app, ...(opts.args ?? [])];
  const started = performance.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`${app} did not exit within ${opts.timeoutMs ?? 60_000} ms; stderr: ${stderr.slice(-2000)}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ stdout, stderr, code, wallMs: performance.now() - started, pid: child.pid ?? -1 });
    });
  });
}

/** The one app-printed line starting with `prefix`, parsed as JSON. */
export function appReport<T>(stdout: string, prefix = 'REPORT '): T {
  const line = stdout.split('\n').find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`app printed no "${prefix}" line; stdout:\n${stdout}`);
  return JSON.parse(line.slice(prefix.length)) as T;
}
