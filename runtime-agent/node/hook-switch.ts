/**
 * The bench's hook switch. Only the bench build, dist/bench/agent.cjs, has it (esbuild defines
 * ISOSCOPE_HOOK_SWITCH as true there and as false for dist/agent.cjs, where every check folds away).
 * It is a process-wide flag, shared with workers through environment data, that turns the message
 * hooks into plain pass-throughs: one process can then stream with and without them, segment by
 * segment, on the same threads and the same memory, which separates the hooks' cost from the
 * run-to-run swing of separate processes.
 */
import { workerThreadsModule as workerThreads } from './worker-threads-module';

declare global {
  /** Defined by esbuild.mjs: true in the bench build only. Test it directly so it folds away. */
  const ISOSCOPE_HOOK_SWITCH: boolean;
}

/** Environment-data key of the flag (an Int32Array over a SharedArrayBuffer; 1 = hooks off). */
export const HOOK_SWITCH_KEY = 'isoscope.benchHookSwitch';

/** The process's flag, created by the first thread that asks (the main thread, at start). */
export function hookSwitchFlag(): Int32Array {
  let flag = workerThreads.getEnvironmentData(HOOK_SWITCH_KEY) as Int32Array | undefined;
  if (flag === undefined) {
    flag = new Int32Array(new SharedArrayBuffer(4));
    workerThreads.setEnvironmentData(HOOK_SWITCH_KEY, flag);
  }
  return flag;
}
