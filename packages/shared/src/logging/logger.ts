import winston from 'winston';
import { currentContext } from './context.ts';
import { redact } from './redact.ts';

export type Logger = winston.Logger;

const SPLAT = Symbol.for('splat');

// Adds the request/job id from AsyncLocalStorage, serialises errors under `err` with their stack,
// and redacts secrets before anything is written.
const enrich = winston.format((info) => {
  const ctx = currentContext();
  if (ctx) Object.assign(info, ctx);
  for (const key of Object.keys(info)) {
    const v = info[key];
    if (v instanceof Error) {
      info[key] = serializeError(v);
    } else if (key !== 'level' && key !== 'message') {
      info[key] = redact(v);
    }
  }
  if (typeof info.message === 'string') info.message = redact(info.message);
  delete (info as Record<symbol, unknown>)[SPLAT];
  return info;
});

function serializeError(err: Error): Record<string, unknown> {
  const e = err as Error & { code?: unknown; cause?: unknown };
  return {
    name: e.name,
    message: redact(e.message),
    code: e.code,
    stack: e.stack,
    ...(e.cause instanceof Error ? { cause: serializeError(e.cause) } : {}),
  };
}

/** Creates the root JSON logger for a process. `level: 'silent'` writes nothing. */
export function createLogger(opts: { level: string; service: string }): Logger {
  return winston.createLogger({
    level: opts.level === 'silent' ? 'error' : opts.level,
    silent: opts.level === 'silent',
    defaultMeta: { service: opts.service },
    format: winston.format.combine(enrich(), winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}
