// Worker for the lifecycle tests: says hello to its parent once, then ends.
const { parentPort, threadId } = require('node:worker_threads');
parentPort.postMessage({ hello: threadId, execArgv: process.execArgv.length });
