/** Writes a report file for `run` and `connect`; a failure is said, not thrown. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Report } from '../../protocol';
import { formatCountOf } from '../core/model/format';

/** Writes `report` as pretty JSON to `reportPath` (directories created). Returns false on failure. */
export async function writeReportFile(
  reportPath: string,
  report: Report,
  say: (line: string) => void,
): Promise<boolean> {
  const path = resolve(reportPath);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
    say(
      `report written to ${path} (${formatCountOf(report.isolates.length, 'isolate')}, ${formatCountOf(report.findings.length, 'finding')})`,
    );
    return true;
  } catch (err) {
    say(`could not write the report to ${path}: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}
