/**
 * The scripted Dart VM-service peer (test/helpers/scripted-vm-service.ts) in its own Node process
 * (tsx), for suites that need a VM service to attach to. It is a real WebSocket server answering
 * from spec-derived and recorded fixtures, NOT a Dart VM (no Dart SDK on these machines).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from './helpers';

const PEER_SCRIPT = `
import('./test/helpers/scripted-vm-service.ts').then(async (m) => {
  const peer = await m.startScriptedVmService();
  process.stdout.write(JSON.stringify({ httpUri: peer.httpUri, wsUri: peer.wsUri }) + '\\n');
});`;

/** A running peer; `stop()` kills its process by pid. */
export interface ScriptedPeerProcess {
  child: ChildProcess;
  httpUri: string;
  wsUri: string;
  stop(): void;
}

/** Starts the peer process and resolves with its URIs once it listens. */
export function startScriptedPeer(): Promise<ScriptedPeerProcess> {
  // ELECTRON_RUN_AS_NODE: under VS Code desktop the host's execPath is Electron.
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', PEER_SCRIPT], {
    cwd: repoRoot(),
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(child.pid, 'SIGKILL');
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the scripted peer did not start within 60 s: ${err}`));
    }, 60_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      const uris = JSON.parse(line) as { httpUri: string; wsUri: string };
      resolve({ child, ...uris, stop });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the scripted peer exited ${code}: ${err}`));
    });
  });
}
