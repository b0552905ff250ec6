/**
 * The `isoscope` command line: `run`, `connect` and `lint` (contracts 3, 4 and 5).
 * Exit codes: the child's code for `run`; 1 lint findings; 2 bad usage; 3 a gate failed.
 */
import { runCommand } from './run-command';
import { connectCommand } from './connect-command';
import { lintCommand } from './lint-command';
import { USAGE, UsageError } from './usage';

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
    if (err instanceof UsageError) {
      process.stderr.write(`isoscope: ${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`isoscope: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
