/** A short-lived worker: computes one sum, posts it, and exits within a few milliseconds. */
import { parentPort, workerData } from 'node:worker_threads';

let sum = 0;
for (let i = 0; i < (workerData.n as number); i++) sum += i % 7;
parentPort!.postMessage({ type: 'result', sum, sent: 1, received: 0 });
