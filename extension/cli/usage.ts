/** Usage text and the error type every sub-command throws for bad usage (exit 2). */

export const USAGE = `Usage:
  isoscope run [--report FILE] [--port N] [--open] [--threshold BYTES]
               [--max-message-bytes N] [--max-queue-depth N] -- <command…>
      Run a Node program under the Isoscope agent, serve the live inspector, write a report.
  isoscope connect <vm-service-uri> [--report FILE] [--duration SECONDS] [--port N] [--open]
      Attach to a running Dart VM service (http://…/TOKEN=/ or ws://…/ws).
  isoscope lint [--json] [--fix] [--] <paths…>
      Find oversized-message patterns in Dart, TS and JS files.

Exit codes: run → the program's own code (128 + n when killed by signal n), 3 when a --max-…
gate fails, 1 when Isoscope itself failed and the program exited 0; lint → 1 when findings
remain; 2 → bad usage.
`;

/** Thrown for bad command-line usage; main prints it with the usage text and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * True for a UsageError from any bundle: `isoscope lint` runs from its own file (dist/cli-lint.cjs),
 * whose copy of the class is not the one `instanceof` would compare against.
 */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof Error && err.name === 'UsageError';
}
