// Starts one code-server (real VS Code) for the tests, fully isolated in its own run folder:
// config, user data, extensions, TMPDIR and XDG dirs all live under `runDir`, so nothing leaks
// into the home folder or /tmp. It runs in its own process group (detached = setsid) so `stop()`
// can kill the whole group; killing only the wrapper would orphan its file watcher.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { codeServerEnv } from '../../../scripts/setup/code-server.mjs';

/** Settings that keep the workbench quiet and deterministic (no welcome page, no trust prompt). */
const seededSettings = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.tips.enabled': false,
  'update.mode': 'none',
};

/** A free loopback port (closed again right away; code-server binds it a moment later). */
async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.listen(0, '127.0.0.1', resolve).on('error', reject));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Prepares the isolated folders of one code-server run. */
export function prepareRunDir(runDir) {
  const dirs = {
    tmp: join(runDir, 'tmp'),
    xdg: join(runDir, 'xdg'),
    userData: join(runDir, 'user-data'),
    extensions: join(runDir, 'extensions'),
    config: join(runDir, 'config.yaml'),
    log: join(runDir, 'code-server.log'),
  };
  for (const d of [dirs.tmp, dirs.xdg, join(dirs.userData, 'User'), dirs.extensions]) mkdirSync(d, { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(seededSettings, null, 2));
  return dirs;
}

function isolatedEnv(dirs) {
  return codeServerEnv({
    ...process.env,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.xdg,
    XDG_DATA_HOME: dirs.xdg,
    XDG_CACHE_HOME: join(dirs.xdg, 'cache'),
  });
}

function commonArgs(dirs) {
  return ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** Installs a .vsix into the run's extensions folder with code-server's own CLI. */
export function installVsix({ node, entry, dirs, vsixPath }) {
  writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  const r = spawnSync(node, [entry, ...commonArgs(dirs), '--install-extension', vsixPath], {
    env: isolatedEnv(dirs),
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`code-server --install-extension failed (${r.status ?? r.signal}):\n${output}`);
  return output;
}

/**
 * Starts code-server and waits for /healthz. Returns `{ url, port, stop() }`; `stop()` kills the
 * process group and waits for it to go.
 */
export async function startCodeServer({ node, entry, dirs, readyTimeoutMs = 60_000 }) {
  const port = await freePort();
  writeFileSync(dirs.config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const log = createWriteStream(dirs.log);
  const args = [
    entry,
    ...commonArgs(dirs),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    // Without the smoke-test driver the workbench ignores the test payload silently.
    '--vscode-option',
    'enable-smoke-test-driver',
  ];
  const child = spawn(node, args, { env: isolatedEnv(dirs), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  const exitPromise = new Promise((resolve) => child.once('exit', resolve)).then(() => {
    exited = true;
  });

  const stop = async () => {
    if (!exited) {
      for (const signal of ['SIGTERM', 'SIGKILL']) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // ESRCH: the group is already gone, which is what we want.
          break;
        }
        const gone = await Promise.race([exitPromise.then(() => true), sleep(5_000).then(() => false)]);
        if (gone) break;
      }
    }
    // The group may outlive the leader (file watcher): make sure nothing is left.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // ESRCH: nothing left in the group.
    }
    log.end();
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return { url, port, stop, logFile: dirs.log };
    } catch {
      // Not listening yet; poll again.
    }
    await sleep(250);
  }
  await stop();
  const tail = readFileSync(dirs.log, 'utf8').split('\n').slice(-30).join('\n');
  throw new Error(
    `code-server did not become healthy within ${readyTimeoutMs} ms${exited ? ' (it exited)' : ''}:\n${tail}`,
  );
}
