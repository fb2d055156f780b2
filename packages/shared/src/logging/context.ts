import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request or per-job context carried through async calls so every log line names its origin. */
export interface LogContext {
  requestId?: string;
  jobId?: string;
  queue?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `ctx` as the current log context. */
export function runWithContext<T>(ctx: LogContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** The current log context, if any. */
export function currentContext(): LogContext | undefined {
  return storage.getStore();
}
