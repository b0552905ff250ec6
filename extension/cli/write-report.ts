/** Writes a report file for `run` and `connect`; a failure is said, not thrown, and loses nothing. */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Report } from '../../protocol';
import { formatCountOf } from '../core/model/format';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Creates `dir` and its missing parents one level at a time. Not `mkdir(dir, { recursive: true })`:
 * on a file system that answers ENOENT for a child of an existing directory (procfs, e.g.
 * `/proc/x/report.json`) Node's recursive mkdir retries forever (seen on Node 20.20 and 24.21).
 */
export async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(dir); !(await isDirectory(d)); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (err) {
      // Made by someone else meanwhile: fine, as long as it is a directory now.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!(await isDirectory(d))) throw new Error(`${d} exists and is not a directory`);
    }
  }
}

/**
 * Writes `report` as pretty JSON to `reportPath` (directories created). Returns false when it
 * could not; the report then goes to a file in the temporary directory instead, and `say` tells where.
 */
export async function writeReportFile(
  reportPath: string,
  report: Report,
  say: (line: string) => void,
): Promise<boolean> {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const counts = `${formatCountOf(report.isolates.length, 'isolate')}, ${formatCountOf(report.findings.length, 'finding')}`;
  if (reportPath === '-') {
    // Standard output, after everything the program printed there (it has exited).
    // The write's callback gets the error; the stream also emits it, and with no listener that
    // is a crash with a stack trace, before the summary (`--report - | true`, `> /dev/full`).
    const swallow = (): void => undefined;
    process.stdout.on('error', swallow);
    const failure = await new Promise<Error | null>((done) => {
      try {
        process.stdout.write(text, (err) => done(err ?? null));
      } catch (err) {
        done(err instanceof Error ? err : new Error(String(err)));
      }
    });
    if (failure === null) {
      process.stdout.off('error', swallow);
      say(`report written to standard output (${counts})`);
      return true;
    }
    // Left listening: a closed stdout can report the same failure again.
    say(`could not write the report to standard output: ${failure.message}`);
  } else {
    const path = resolve(reportPath);
    try {
      await makeDirectories(dirname(path));
      await writeFile(path, text);
      say(`report written to ${path} (${counts})`);
      return true;
    } catch (err) {
      say(`could not write the report to ${path}: ${errorText(err)}`);
    }
  }
  const fallback = join(tmpdir(), `isoscope-report-${process.pid}-${Date.now()}.json`);
  try {
    await writeFile(fallback, text, { flag: 'wx' });
    say(`report saved instead to ${fallback} (${counts})`);
  } catch (err) {
    say(`could not save it to ${fallback} either: ${errorText(err)}`);
  }
  return false;
}
