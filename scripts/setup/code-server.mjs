// Installs code-server (real VS Code: workbench in a browser + a Node extension host), pinned,
// into its own cache folder outside the repo. code-server's postinstall refuses any Node major but
// 24 and compiles native modules, so the install runs with Node 24 first on PATH and node-gyp
// pointed at Node 24's headers. A stamp file records a finished install so reruns skip it.
// Fails loudly; never skips.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ensureDebianPackages, ensureNode24 } from './ensure.mjs';
import { CODE_SERVER_VERSION, codeServerDir, node24Dir } from './paths.mjs';

const stampFile = join(codeServerDir, '.isoscope-installed');
/** The code-server launcher inside the install folder. */
export const codeServerBin = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Environment for running code-server (and its install): Node 24 first on PATH. */
export function codeServerEnv(base = process.env) {
  const node24BinDir = join(node24Dir, 'bin');
  return { ...base, PATH: `${node24BinDir}${delimiter}${base.PATH ?? ''}` };
}

/** Installs code-server CODE_SERVER_VERSION if the stamp is missing; returns the entry script path. */
export function ensureCodeServer() {
  ensureDebianPackages(['libkrb5-dev', 'chromium']);
  const node24 = ensureNode24();
  const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
  if (stamp === CODE_SERVER_VERSION && existsSync(codeServerBin)) return { entry: codeServerBin, node: node24 };

  console.log(`[setup] installing code-server ${CODE_SERVER_VERSION} into ${codeServerDir} (takes minutes)`);
  // A half-finished earlier install would confuse npm; start clean.
  rmSync(join(codeServerDir, 'node_modules'), { recursive: true, force: true });
  mkdirSync(codeServerDir, { recursive: true });
  writeFileSync(join(codeServerDir, 'package.json'), '{"private":true}\n');
  // Under `npm test` the outer npm's variables (npm_config_user_agent naming Node 20, npm_node_execpath…)
  // leak into this install, and code-server's postinstall reads the Node version from the user agent:
  // drop them so the inner npm describes itself (running on Node 24).
  const cleanBase = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const env = {
    ...codeServerEnv(cleanBase),
    // The machine's npmrc points node-gyp at Node 20's headers; code-server's modules run on 24.
    npm_config_nodedir: node24Dir,
    JOBS: 'max',
  };
  const args = ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', codeServerDir];
  args.push(`code-server@${CODE_SERVER_VERSION}`);
  console.log(`[setup] $ npm ${args.join(' ')}`);
  const r = spawnSync('npm', args, { stdio: 'inherit', env, cwd: codeServerDir });
  if (r.status !== 0)
    throw new Error(
      `[setup] npm install code-server@${CODE_SERVER_VERSION} failed (${r.status ?? r.signal}); ` +
        `see the npm output above (it needs libkrb5-dev and Node 24 at ${dirname(dirname(node24))})`,
    );
  if (!existsSync(codeServerBin)) throw new Error(`[setup] code-server installed but ${codeServerBin} is missing`);
  // Without --config code-server writes a default config into the home folder: give it a scratch one.
  const scratch = mkdtempSync(join(tmpdir(), 'isoscope-cs-version-'));
  writeFileSync(join(scratch, 'config.yaml'), 'auth: none\n');
  const version = spawnSync(node24, [codeServerBin, '--config', join(scratch, 'config.yaml'), '--version'], {
    encoding: 'utf8',
    env: codeServerEnv(),
  });
  rmSync(scratch, { recursive: true, force: true });
  if (!version.stdout?.includes(`${CODE_SERVER_VERSION} `))
    throw new Error(`[setup] code-server --version printed ${JSON.stringify(version.stdout)}${version.stderr}`);
  writeFileSync(stampFile, `${CODE_SERVER_VERSION}\n`);
  return { entry: codeServerBin, node: node24 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`[setup] code-server: ${ensureCodeServer().entry}`);
}
