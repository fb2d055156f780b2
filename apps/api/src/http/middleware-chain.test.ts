import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { chain } from './middleware-chain.ts';

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** Serves `mw` then a route that lists the steps seen; errors answer 500 with their message. */
async function serve(mw: RequestHandler): Promise<string> {
  const app = express();
  app.use((_req, res, next) => {
    res.locals.steps = [];
    next();
  });
  app.use(mw);
  app.get('/', (_req, res) => {
    res.json({ steps: res.locals.steps as string[] });
  });
  const onError: ErrorRequestHandler = (err: Error, _req, res, _next) => {
    res.status(500).json({ steps: res.locals.steps as string[], error: err.message });
  };
  app.use(onError);
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const step =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    (res.locals.steps as string[]).push(name);
    next();
  };

describe('chain', () => {
  it('when every handler calls next, then they run in order and the route answers', async () => {
    const url = await serve(chain(step('a'), step('b'), step('c')));
    expect(await (await fetch(url)).json()).toEqual({ steps: ['a', 'b', 'c'] });
  });

  it('when a handler passes an error, then the rest is skipped and the error handler answers', async () => {
    const url = await serve(
      chain(step('a'), (_req, _res, next) => next(new Error('boom')), step('c')),
    );
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ steps: ['a'], error: 'boom' });
  });

  it('when a handler throws or rejects, then it is handled like next(err)', async () => {
    const thrower = await serve(
      chain(step('a'), () => {
        throw new Error('thrown');
      }),
    );
    expect(await (await fetch(thrower)).json()).toEqual({ steps: ['a'], error: 'thrown' });
    const rejecter = await serve(chain(step('a'), () => Promise.reject(new Error('rejected'))));
    expect(await (await fetch(rejecter)).json()).toEqual({ steps: ['a'], error: 'rejected' });
  });

  it('when a handler answers without next, then nothing after it runs', async () => {
    const url = await serve(
      chain(
        step('a'),
        (_req, res) => {
          res.status(204).end();
        },
        step('c'),
      ),
    );
    expect((await fetch(url)).status).toBe(204);
  });
});
