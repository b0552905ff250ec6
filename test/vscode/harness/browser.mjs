// Chromium for the workbench: Debian's /usr/bin/chromium driven by playwright-core (never a
// downloaded browser), headless, with a fresh profile per launch.
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../../scripts/setup/paths.mjs';

/** Launches Chromium; playwright gives every launch a fresh temporary user-data-dir. */
export async function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/** The workbench URL for a folder, optionally with a smoke-test-driver payload. */
export function workbenchUrl(baseUrl, folder, payload) {
  const params = new URLSearchParams({ folder });
  if (payload) params.set('payload', JSON.stringify(payload));
  return `${baseUrl}/?${params.toString()}`;
}

/** A path on the code-server machine as the workbench names it in payload entries. */
export function remoteUri(port, absPath) {
  return `vscode-remote://127.0.0.1:${port}${absPath}`;
}
