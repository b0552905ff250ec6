/** Opens a URL in the user's browser; failure is reported, never fatal. */
import { spawn } from 'node:child_process';

/** Best effort: `xdg-open`/`open`/`explorer`, detached, output ignored. */
export function openUrl(url: string, say: (line: string) => void): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    const failed = (): void => say(`could not open a browser; open ${url} yourself`);
    child.on('error', failed);
    // xdg-open with no browser to hand it to exits non-zero (3: "no method available").
    // `explorer` exits 1 even when it opened the page, so only the launchers that report are read.
    child.on('exit', (code) => {
      if (code !== 0 && code !== null && cmd !== 'explorer') failed();
    });
    child.unref();
  } catch {
    // spawn can throw synchronously on odd platforms; the URL is printed anyway.
    say(`could not open a browser; open ${url} yourself`);
  }
}
