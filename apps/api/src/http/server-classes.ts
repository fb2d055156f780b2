import { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';

/** The `http.createServer` / `https.createServer` options that make its requests Express's. */
export interface ExpressServerClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

/**
 * Request and response classes whose instances are born with `app`'s request and response
 * prototypes. Express otherwise re-parents every request and response with
 * `Object.setPrototypeOf` (a hidden-class change per object per request); with these the call
 * finds the prototype already in place and does nothing. Measured on the storefront hit path:
 * about 9 of Express's 15 µs per request (pipelined micro-benchmark, docs/performance.md).
 */
export function expressServerClasses(app: Express): ExpressServerClasses {
  function Request(this: unknown, ...args: unknown[]): IncomingMessage {
    return Reflect.construct(IncomingMessage, args, Request) as IncomingMessage;
  }
  Request.prototype = app.request;
  function Response(this: unknown, ...args: unknown[]): ServerResponse {
    return Reflect.construct(ServerResponse, args, Response) as ServerResponse;
  }
  Response.prototype = app.response;
  return {
    IncomingMessage: Request as unknown as typeof IncomingMessage,
    ServerResponse: Response as unknown as typeof ServerResponse,
  };
}
