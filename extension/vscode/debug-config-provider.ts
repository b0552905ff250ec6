/**
 * Adds the agent to Node launch configurations (`node`, `pwa-node`) while the
 * `isoscope.profileDebugSessions` setting is on, so debugged programs show up in Isoscope.
 */
import type * as vscode from 'vscode';
import type { IsoscopeRuntime } from './isoscope-runtime';
import type { Log } from './output';
import { INSTRUMENTED_FLAG, mergeNodeOptions } from './profile-node-command';
import { readSettings } from './settings';

/** The debug types js-debug registers for Node programs. */
export const NODE_DEBUG_TYPES = ['node', 'pwa-node'] as const;

/** Resolves launch configurations after variable substitution (so `env` is final). */
export class AgentDebugConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly runtime: IsoscopeRuntime,
    private readonly log: Log,
  ) {}

  async resolveDebugConfigurationWithSubstitutedVariables(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration> {
    if (config.request !== 'launch' || config[INSTRUMENTED_FLAG] === true) return config;
    if (!readSettings().profileDebugSessions) return config;
    try {
      const vars = await this.runtime.agentVariables();
      const env: Record<string, string | null> = { ...(config.env as Record<string, string | null> | undefined) };
      for (const [key, value] of Object.entries(vars))
        env[key] = key === 'NODE_OPTIONS' ? mergeNodeOptions(env[key] ?? undefined, value) : value;
      this.log.info(`debug session "${String(config.name)}" gets the Isoscope agent`);
      return { ...config, env, [INSTRUMENTED_FLAG]: true };
    } catch (err) {
      // Never block the user's debug session because profiling could not be set up.
      this.log.error(`could not add the agent to "${String(config.name)}"`, err);
      return config;
    }
  }
}
