/** CI gates over a report: `--max-message-bytes` and `--max-queue-depth` (exit 3 when one fails). */
import type { Report } from '../../../protocol';

/** Limits a run can be held to; undefined means "no gate". */
export interface GateLimits {
  maxMessageBytes?: number | undefined;
  maxQueueDepth?: number | undefined;
}

/** The largest copied message anywhere in the report. */
export function largestMessageBytes(report: Report): number {
  let max = 0;
  for (const c of report.channels) max = Math.max(max, c.maxMessageBytes);
  for (const s of report.callSites) max = Math.max(max, s.maxMessageBytes);
  return max;
}

/** The deepest queue any isolate or channel reached. */
export function deepestQueue(report: Report): number {
  let max = 0;
  for (const i of report.isolates) max = Math.max(max, i.maxQueueDepth);
  for (const c of report.channels) max = Math.max(max, c.maxDepth);
  return max;
}

/**
 * Evaluates the configured gates; a gate fails when the actual value is greater than its limit.
 * With `profiled: false` (no agent ever connected, so the report holds no data) every configured
 * gate fails: an empty report proves nothing about the program.
 */
export function evaluateGates(
  report: Report,
  limits: GateLimits,
  opts: { profiled?: boolean } = {},
): NonNullable<Report['gates']> {
  const gates: NonNullable<Report['gates']> = [];
  const profiled = opts.profiled ?? true;
  if (limits.maxMessageBytes !== undefined) {
    const actual = largestMessageBytes(report);
    gates.push({
      name: 'max-message-bytes',
      limit: limits.maxMessageBytes,
      actual,
      passed: profiled && actual <= limits.maxMessageBytes,
    });
  }
  if (limits.maxQueueDepth !== undefined) {
    const actual = deepestQueue(report);
    gates.push({
      name: 'max-queue-depth',
      limit: limits.maxQueueDepth,
      actual,
      passed: profiled && actual <= limits.maxQueueDepth,
    });
  }
  return gates;
}
