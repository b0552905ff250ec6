/**
 * The environment a Node program needs to run under the Isoscope agent: the preload in
 * NODE_OPTIONS (appended, never replacing the user's own options) plus the collector endpoint.
 * Used by `isoscope run` and by the VS Code terminals/debug sessions.
 */

/** Inputs of {@link agentEnvironment}. */
export interface AgentEnvironmentOptions {
  /** `ws://127.0.0.1:P/agent`. */
  collectorUrl: string;
  token: string;
  /** Absolute path of dist/agent.cjs. */
  agentPath: string;
  /** The environment to extend (not modified). */
  baseEnv: NodeJS.ProcessEnv;
  /** Copy size over which the agent records a message in the ledger. */
  notableBytes?: number;
  /** Size every send instead of sampling quiet ports (a message-size gate must not miss one). */
  sizeAll?: boolean;
}

/** Quotes a NODE_OPTIONS argument the way Node's parser reads it (double quotes, `\` escapes). */
export function quoteNodeOption(value: string): string {
  if (/^[A-Za-z0-9_\-./:@%+=,]+$/.test(value)) return value;
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** `baseEnv` plus `--require <agent>` in NODE_OPTIONS and the ISOSCOPE_* variables. */
export function agentEnvironment(opts: AgentEnvironmentOptions): NodeJS.ProcessEnv {
  const preload = `--require ${quoteNodeOption(opts.agentPath)}`;
  const existing = opts.baseEnv.NODE_OPTIONS?.trim() ?? '';
  // Re-running under the agent (e.g. a nested `isoscope run`) must not load it twice.
  const nodeOptions = existing.includes(preload) ? existing : existing ? `${existing} ${preload}` : preload;
  const env: NodeJS.ProcessEnv = {
    ...opts.baseEnv,
    NODE_OPTIONS: nodeOptions,
    ISOSCOPE_COLLECTOR: opts.collectorUrl,
    ISOSCOPE_TOKEN: opts.token,
  };
  if (opts.notableBytes !== undefined) env.ISOSCOPE_NOTABLE_BYTES = String(Math.round(opts.notableBytes));
  if (opts.sizeAll === true) env.ISOSCOPE_SIZE_ALL = '1';
  return env;
}
