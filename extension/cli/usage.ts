/** Usage text and the error type every sub-command throws for bad usage (exit 2). */

export const USAGE = `Usage:
  isoscope run [--report FILE] [--port N] [--open] [--threshold BYTES] [--no-status]
               [--max-message-bytes N] [--max-queue-depth N] -- <command…>
      Run a Node program under the Isoscope agent, serve the live inspector, write a report.
  isoscope connect <vm-service-uri> [--report FILE] [--duration SECONDS] [--port N] [--open]
      Attach to a running Dart VM service (http://…/TOKEN=/ or ws://…/ws).
  isoscope lint [--json] [--fix] [--] <paths…>
      Find oversized-message patterns in Dart, TS and JS files.

Exit codes: run → the program's own code (128 + n when killed by signal n); when the program
exited 0: 3 when a --max-… gate failed, 1 when Isoscope itself failed; lint → 1 when findings
remain; 2 → bad usage (or a --port in use).
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

/**
 * The line for a `--port` that cannot be listened on (in use, or privileged), or null when `err`
 * is something else. Shared by the commands that take `--port`; they exit 2 with it, like bad usage.
 */
export function portProblem(port: number, err: unknown): string | null {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  const instead = 'pick another with --port N, or leave --port out for any free port';
  if (code === 'EADDRINUSE') return `port ${port} is in use (another program is listening on it); ${instead}`;
  if (code === 'EACCES')
    return `port ${port} cannot be used: permission denied (ports below 1024 need privileges); ${instead}`;
  return null;
}
