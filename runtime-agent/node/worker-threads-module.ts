/**
 * The real `node:worker_threads` module object. The agent replaces exports on it (Worker,
 * MessageChannel, receiveMessageOnPort, BroadcastChannel), which only works on the object
 * `require` returns: a bundler's ESM namespace wrapper has getter-only copies.
 */
import { createRequire } from 'node:module';

type WorkerThreads = typeof import('node:worker_threads');

/** The mutable CommonJS exports of node:worker_threads. */
export const workerThreadsModule: WorkerThreads = createRequire(__filename)('node:worker_threads') as WorkerThreads;
