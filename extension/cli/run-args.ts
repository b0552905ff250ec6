/** Parses `isoscope run [options] -- <command…>` (contract 3); bad usage throws UsageError (exit 2). */
import { parseArgs } from 'node:util';
import { DEFAULT_OVERSIZED_BYTES } from '../core/model/model';
import { UsageError } from './usage';

/** Parsed `run` arguments. */
export interface RunArgs {
  command: string[];
  reportPath: string | null;
  port: number;
  open: boolean;
  maxMessageBytes: number | undefined;
  maxQueueDepth: number | undefined;
  /** Copy size over which a message is oversized (and recorded by the agent); at least 1. */
  thresholdBytes: number;
  /** False with `--no-status`: no live status line on the terminal. */
  status: boolean;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1 << 20,
  mb: 1 << 20,
  mib: 1 << 20,
};

/** `65536`, `64k`, `64KiB`, `1.5MiB` → bytes (binary units). */
export function parseBytes(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new UsageError(`${flag} takes a size in bytes such as 65536, 64KiB or 1MiB, not '${text}'`);
  const bytes = Math.round(Number(m[1]) * unit);
  // Byte counts in the report stay exact integers (JSON would write a larger one as a rounded or
  // infinite number).
  if (!(bytes <= Number.MAX_SAFE_INTEGER))
    throw new UsageError(`${flag} is at most ${Number.MAX_SAFE_INTEGER} bytes (2^53 - 1), not '${text}'`);
  return bytes;
}

/** `--threshold`: a size of at least 1 byte (the agent falls back to 64 KiB for anything less). */
function parseThreshold(text: string): number {
  const bytes = parseBytes('--threshold', text);
  if (bytes < 1) throw new UsageError(`--threshold must be at least 1 byte, not '${text}' (the default is 64KiB)`);
  return bytes;
}

function parseCount(flag: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) > max)
    throw new UsageError(`${flag} takes a whole number, not '${text}'`);
  return Number(text);
}

/** The options of `run` that take a value. */
const VALUED_OPTIONS = new Set(['--report', '--port', '--max-message-bytes', '--max-queue-depth', '--threshold']);

/** Splits at `--`, parses the options before it, and checks everything. */
export function parseRunArgs(argv: string[]): RunArgs {
  const dashDash = argv.indexOf('--');
  if (dashDash < 0) {
    throw new UsageError("run needs '--' before the command, e.g. isoscope run --report out.json -- node app.js");
  }
  const command = argv.slice(dashDash + 1);
  // A negative number after an option that takes a value is that value (`--port -1`), so that its
  // own check says what is wrong with it, not parseArgs's "argument is ambiguous".
  const options = argv.slice(0, dashDash);
  for (let i = 0; i < options.length - 1; i++) {
    if (VALUED_OPTIONS.has(options[i]!) && /^-\d/.test(options[i + 1]!))
      options.splice(i, 2, `${options[i]}=${options[i + 1]}`);
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: options,
      strict: true,
      allowPositionals: false,
      options: {
        report: { type: 'string' },
        port: { type: 'string' },
        open: { type: 'boolean' },
        'max-message-bytes': { type: 'string' },
        'max-queue-depth': { type: 'string' },
        threshold: { type: 'string' },
        'no-status': { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError(`run: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (command.length === 0 || command[0] === '') throw new UsageError("run: missing the command after '--'");
  if (values.report === '') throw new UsageError('--report needs a file name');
  return {
    command,
    reportPath: values.report ?? null,
    port: values.port === undefined ? 0 : parseCount('--port', values.port, 65535),
    open: values.open ?? false,
    maxMessageBytes:
      values['max-message-bytes'] === undefined
        ? undefined
        : parseBytes('--max-message-bytes', values['max-message-bytes']),
    maxQueueDepth:
      values['max-queue-depth'] === undefined ? undefined : parseCount('--max-queue-depth', values['max-queue-depth']),
    thresholdBytes: values.threshold === undefined ? DEFAULT_OVERSIZED_BYTES : parseThreshold(values.threshold),
    status: !(values['no-status'] ?? false),
  };
}
