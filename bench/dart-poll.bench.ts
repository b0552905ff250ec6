/**
 * Dart source polling cost against the scripted VM-service peer (spec-derived fixtures over a
 * real socket on 127.0.0.1; NOT a Dart VM). Measures requests per poll, poll duration and the
 * idle back-off for 1, 10 and 50 isolates.
 */
import { connectDartVm } from '../extension/core/dart';
import { IsolateModel } from '../extension/core/model/model';
import { startScriptedVmService } from '../test/helpers/scripted-vm-service';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

async function measure(isolates: number) {
  const peer = await startScriptedVmService();
  for (let i = 0; i < isolates - 2; i++) peer.addIsolate(`isolates/${3000 + i}`, `worker-${i}`);
  if (isolates === 1) peer.removeIsolate('isolates/1002');
  const model = new IsolateModel();
  const handle = await connectDartVm({ uri: peer.wsUri, model, baseIntervalMs: 50, maxIntervalMs: 400 });
  while (peer.count('getVM') < 17) await new Promise((r) => setTimeout(r, 20));
  await handle.dispose();
  model.dispose();
  // Polls start with getVM (the first getVM is the attach); a poll ends with its last request.
  const polls = peer.requests
    .map((r, i) => ({ ...r, i }))
    .filter((r) => r.method === 'getVM')
    .slice(1);
  const starts = polls.map((p) => p.atMs);
  const durations = polls.slice(0, -1).map((p, k) => peer.requests[polls[k + 1]!.i - 1]!.atMs - p.atMs);
  const requestsPerPoll = (polls[polls.length - 1]!.i - polls[0]!.i) / (polls.length - 1);
  const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
  await peer.close();
  return {
    isolates,
    polls: starts.length,
    requestsPerPoll: Math.round(requestsPerPoll * 10) / 10,
    requestsPerIsolatePerPoll: Math.round((requestsPerPoll / isolates) * 10) / 10,
    pollDurationMsMedian: Math.round(median(durations) * 10) / 10,
    firstGapMs: Math.round(gaps[0] ?? NaN),
    lastGapMs: Math.round(gaps[gaps.length - 1] ?? NaN),
  };
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  const rows = [];
  for (const n of [1, 10, 50]) {
    process.stderr.write(`dart-poll: ${n} isolates\n`);
    const r = await measure(n);
    rows.push(r);
    results[`isolates${n}`] = r;
  }
  const fifty = rows[2]!;
  console.log(
    JSON.stringify({
      name: 'dart-poll',
      results: { ...results, note: 'scripted VM-service peer (spec-derived fixtures), not a Dart VM' },
      targets: [
        {
          name: 'requests per isolate per poll (50 isolates)',
          target: '<= 5',
          actual: fifty.requestsPerIsolatePerPoll,
          met: fifty.requestsPerIsolatePerPoll <= 5,
        },
        {
          name: 'idle back-off: last poll gap vs first (50 ms base, 400 ms cap)',
          target: 'last gap >= 300 ms',
          actual: fifty.lastGapMs,
          met: fifty.lastGapMs >= 300,
        },
      ],
    }),
  );
}

void main();
