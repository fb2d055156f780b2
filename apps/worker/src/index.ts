// Public API of @storefront/worker (used by tests and the dev runner).
export { startWorker, type RunningWorker } from './worker.ts';
export type { WorkerDeps } from './deps.ts';
