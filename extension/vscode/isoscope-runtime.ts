/**
 * The one model and the one collector of the extension host. Every source (Node agents through
 * the collector, Dart VM services) feeds this model, and every view reads it. The collector starts
 * on first need (a profiled program, the terminal toggle) and lives until the extension goes, or
 * until `isoscope.collectorPort` changes while no agent is connected (then it moves to the new port).
 */
import { randomBytes } from 'node:crypto';
import { agentEnvironment } from '../core/agent-env';
import { startCollector } from '../core/collector/collector';
import { IsolateModel } from '../core/model/model';
import { SourceMapper } from '../core/source-map/mapper';
import type { Log } from './output';
import type { IsoscopeSettings } from './settings';

type Collector = Awaited<ReturnType<typeof startCollector>>;

/** Where agents connect, as they read it from their environment. */
export interface AgentEndpoint {
  collectorUrl: string;
  token: string;
}

/** Owns the model and the collector; `dispose()` closes the collector and the model. */
export class IsoscopeRuntime {
  readonly model: IsolateModel;
  private collector: Promise<Collector> | null = null;
  /** The collectorPort setting the current collector was started with. */
  private collectorPort = 0;
  private disposed = false;

  constructor(
    private readonly agentPath: string,
    private readonly settings: () => IsoscopeSettings,
    private readonly log: Log,
  ) {
    // Source maps turn call sites in compiled JS into the original TS lines that findings point at.
    this.model = new IsolateModel({
      oversizedBytes: settings().oversizedMessageBytes,
      sourceMapper: new SourceMapper(),
    });
  }

  /** Starts the collector once (loopback, random token); later calls share it. */
  endpoint(): Promise<AgentEndpoint> {
    if (this.disposed) return Promise.reject(new Error('Isoscope is shutting down'));
    if (!this.collector) {
      const port = this.settings().collectorPort;
      this.collectorPort = port;
      const token = randomBytes(24).toString('hex');
      this.collector = startCollector({ model: this.model, host: '127.0.0.1', port, token }).then(
        (c) => {
          this.log.info(`collector listening on ${c.url}`);
          return c;
        },
        (err: unknown) => {
          this.collector = null; // let the next attempt retry (e.g. after changing the port)
          throw new Error(
            `Isoscope could not start its collector on 127.0.0.1:${port || 'any port'}: ` +
              `${err instanceof Error ? err.message : String(err)}. Check the isoscope.collectorPort setting.`,
          );
        },
      );
    }
    return this.collector.then((c) => ({ collectorUrl: c.url, token: c.token }));
  }

  /**
   * Follows a change of `isoscope.collectorPort`: a started collector moves to the new port when no
   * agent is connected (`moved`; new programs and terminals get the new address), and stays when
   * programs are connected to it (`busy`: they would lose their connection). `unchanged` when no
   * collector runs yet (the next start uses the new port) or the port is the same.
   */
  async followPortSetting(): Promise<'moved' | 'busy' | 'unchanged'> {
    const current = this.collector;
    const port = this.settings().collectorPort;
    if (!current || this.disposed || port === this.collectorPort) return 'unchanged';
    let collector: Collector;
    try {
      collector = await current;
    } catch {
      return 'unchanged'; // it failed to start; the next endpoint() starts it with the new port
    }
    if (this.collector !== current) return 'unchanged'; // moved meanwhile by another change
    if (collector.stats().connectionsActive > 0) return 'busy';
    this.collector = null;
    await collector.close();
    this.log.info(`collector on ${collector.url} closed: isoscope.collectorPort is now ${port || 'any free port'}`);
    await this.endpoint();
    return 'moved';
  }

  /** The environment for a program launched under the agent: `baseEnv` plus preload and endpoint. */
  async agentEnv(baseEnv: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
    const { collectorUrl, token } = await this.endpoint();
    const s = this.settings();
    return {
      ...agentEnvironment({
        collectorUrl,
        token,
        agentPath: this.agentPath,
        baseEnv,
        notableBytes: s.oversizedMessageBytes,
      }),
      ISOSCOPE_SAMPLE_MS: String(s.sampleIntervalMs),
    };
  }

  /**
   * Only the variables the agent adds (NODE_OPTIONS holding just the `--require`), for places that
   * merge into an environment they don't own: terminals and debug configurations.
   */
  async agentVariables(): Promise<Record<string, string>> {
    const env = await this.agentEnv({});
    const vars: Record<string, string> = {};
    for (const [key, value] of Object.entries(env)) if (value !== undefined) vars[key] = value;
    return vars;
  }

  dispose(): void {
    this.disposed = true;
    const collector = this.collector;
    this.collector = null;
    collector
      ?.then((c) => c.close())
      .catch((err: unknown) => this.log.error('closing the collector failed', err))
      .finally(() => this.model.dispose());
    if (!collector) this.model.dispose();
  }
}
