/**
 * The `isoscope` command line: `run`, `connect` and `lint` (contracts 3, 4 and 5).
 * Exit codes: the child's code for `run`; 1 lint findings; 2 bad usage; 3 a gate failed.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCommand } from './run-command';
import { connectCommand } from './connect-command';
import { isUsageError, USAGE, UsageError } from './usage';

/**
 * `isoscope lint`, loaded on demand from dist/cli-lint.cjs (built from ./lint-command): it bundles
 * the TypeScript compiler, which would otherwise add ~0.3 s to every other command's start.
 */
async function lintCommand(args: string[]): Promise<number> {
  const url = pathToFileURL(join(__dirname, 'cli-lint.cjs')).href;
  const mod = (await import(url)) as { default: typeof import('./lint-command') };
  return mod.default.lintCommand(args);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'connect':
      return connectCommand(rest);
    case 'lint':
      return lintCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    case '--version':
      process.stdout.write(`isoscope ${process.env.ISOSCOPE_VERSION ?? '0.1.0'}\n`);
      return 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (isUsageError(err)) {
      process.stderr.write(`isoscope: ${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`isoscope: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      // An internal error can leave the collector and the inspector listening: exit rather than
      // hang (stderr writes are synchronous on Linux).
      process.exit(1);
    }
  },
);
