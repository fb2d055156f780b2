import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs `handlers` in order as one Express layer. Every layer costs the router a path match, a
 * URL re-parse check and a debug call per request; the cross-cutting middleware that runs on
 * every request is cheaper as one. Errors behave as in Express: `next(err)`, a synchronous
 * throw and a rejected promise all skip the rest and go to the error handlers; `next('router')`
 * leaves the router; `next('route')` is a plain `next()` outside a route, as in Express.
 */
export function chain(...handlers: RequestHandler[]): RequestHandler {
  const n = handlers.length;
  return (req: Request, res: Response, done: NextFunction) => {
    let i = 0;
    const next = (err?: unknown): void => {
      if (err !== undefined && err !== null && err !== 'route') {
        done(err);
        return;
      }
      if (i === n) {
        done();
        return;
      }
      const handler = handlers[i++]!;
      try {
        const ret: unknown = handler(req, res, next as NextFunction);
        if (ret instanceof Promise) {
          ret.then(undefined, (e: unknown) => {
            next(e ?? new Error('Rejected promise'));
          });
        }
      } catch (e) {
        next(e);
      }
    };
    next();
  };
}
