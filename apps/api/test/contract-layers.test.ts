import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creatorModel } from '@storefront/shared';
import { testConfig, uniqueName } from '@storefront/devstack/test-harness';
import {
  callRaw,
  errorCode,
  signup,
  startCheckedApi,
  startTestApi,
  type RawResponse,
} from '@storefront/test-support';
import { OPERATIONS } from '../src/openapi/operations.ts';
import type { OperationSpec } from '../src/openapi/operation.ts';
import type { RunningApi } from '../src/server.ts';

// The statuses the layers in front of the routes answer (openapi/responses.ts), provoked on every
// operation the document lists, so that what the document says each operation can answer is what
// it answers: the query guard (400), the JSON body layer (413, 415), the rate limiter (429, and 503
// when it fails closed without Redis) and credentials (401). Every answer also goes through the
// contract check (callRaw), so a status the document lacks fails here.

const SAMPLE: Record<string, string> = {
  username: 'nobody-here',
  productId: new Types.ObjectId().toHexString(),
  id: new Types.ObjectId().toHexString(),
  account: 'platform',
  name: 'abcdef0123456789-160.webp',
  file: 'store.js',
};

/** The operation's path with each parameter filled in with a sample value. */
function concrete(op: OperationSpec): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE[name] ?? 'x');
}

const documents = (op: OperationSpec, status: number) => status in op.responses;
const name = (op: OperationSpec) => `${op.method.toUpperCase()} ${op.path}`;

async function each(
  api: RunningApi,
  ops: readonly OperationSpec[],
  opts: (op: OperationSpec) => Parameters<typeof callRaw>[1] = () => ({}),
): Promise<Array<[OperationSpec, RawResponse]>> {
  const out: Array<[OperationSpec, RawResponse]> = [];
  for (const op of ops) {
    out.push([
      op,
      await callRaw(`${api.url}${concrete(op)}`, { method: op.method.toUpperCase(), ...opts(op) }),
    ]);
  }
  return out;
}

describe('the layers in front of the routes, on every documented operation', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startTestApi({ RATE_LIMIT_ADMIN_PER_MIN: '1000000' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('when the query string carries an operator key, then every operation answers 400 INVALID_INPUT', async () => {
    for (const op of OPERATIONS) expect(documents(op, 400), name(op)).toBe(true);
    const probed = await Promise.all(
      OPERATIONS.map((op) =>
        callRaw(`${api.url}${concrete(op)}?%24where=1`, { method: op.method.toUpperCase() }),
      ),
    );
    probed.forEach((res, i) => {
      const op = OPERATIONS[i] as OperationSpec;
      expect(res.status, name(op)).toBe(400);
      expect(errorCode(res), name(op)).toBe('INVALID_INPUT');
    });
  });

  it('when a body is not JSON, then every operation behind the JSON layer answers 415, and the others never do', async () => {
    const answers = await each(api, OPERATIONS, () => ({
      headers: { 'content-type': 'text/plain' },
      body: 'not json',
    }));
    expectFromJsonLayer(answers, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('when a JSON body is larger than 100 kB, then every operation behind the JSON layer answers 413 and nothing is stored', async () => {
    const username = uniqueName('big').replace(/_/g, '-');
    const big = JSON.stringify({ username, pad: 'x'.repeat(120 * 1024) });
    const answers = await each(api, OPERATIONS, () => ({
      headers: { 'content-type': 'application/json' },
      body: big,
    }));
    expectFromJsonLayer(answers, 413, 'PAYLOAD_TOO_LARGE');
    expect(await creatorModel(api.deps.mongo).countDocuments({ username })).toBe(0);
  });

  it('when no credentials or bad ones are sent, then every creator and admin operation answers 401', async () => {
    const guarded = OPERATIONS.filter((op) =>
      op.security?.some((s) => s === 'bearer' || s === 'admin'),
    );
    expect(guarded.length).toBeGreaterThanOrEqual(20);
    for (const authorization of [undefined, 'Bearer not-a-token', 'Basic YWRtaW46d3Jvbmc=']) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const answers = await each(api, guarded, () => ({ headers }));
      for (const [op, res] of answers) {
        expect(res.status, `${name(op)} ${authorization}`).toBe(401);
        expect(errorCode(res), name(op)).toBe('UNAUTHORIZED');
      }
    }
  });
});

/**
 * Every operation behind the JSON body layer answered `status` with `code`; those whose document
 * lacks the status never answered it.
 */
function expectFromJsonLayer(
  answers: Array<[OperationSpec, RawResponse]>,
  status: number,
  code: string,
): void {
  for (const [op, res] of answers) {
    if (documents(op, status) && !isOwnBody(op)) {
      expect(res.status, name(op)).toBe(status);
      expect(errorCode(res), name(op)).toBe(code);
    } else if (!documents(op, status)) {
      expect(res.status, name(op)).not.toBe(status);
    }
  }
}

// Upload routes read their own raw body: their 413 and 415 come from the route (uploads.test.ts,
// images.test.ts), after the credentials are checked.
function isOwnBody(op: OperationSpec): boolean {
  return op.body !== undefined && 'mediaType' in op.body;
}

describe('rate limits on every documented operation', () => {
  it('when a client is over its limits, then every limited operation answers 429 with Retry-After and the others still answer', async () => {
    const api = await startCheckedApi(
      testConfig({
        RATE_LIMIT_PUBLIC_PER_MIN: '1',
        RATE_LIMIT_AUTH_PER_MIN: '1',
        RATE_LIMIT_WEBHOOK_PER_MIN: '1',
        RATE_LIMIT_ADMIN_PER_MIN: '1',
        RATE_LIMIT_IMAGES_PER_MIN: '1',
      }),
    );
    try {
      // The first call of each policy spends its budget; every later one is refused.
      await each(api, OPERATIONS);
      const username = uniqueName('rl').replace(/_/g, '-');
      const answers = await each(api, OPERATIONS, (op) =>
        op.operationId === 'signup'
          ? {
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                email: `${username}@example.com`,
                password: 'correct-horse-battery',
                username,
              }),
            }
          : {},
      );
      for (const [op, res] of answers) {
        if (documents(op, 429)) {
          expect(res.status, name(op)).toBe(429);
          expect(errorCode(res), name(op)).toBe('RATE_LIMITED');
          expect(Number(res.headers['retry-after']), name(op)).toBeGreaterThan(0);
        } else {
          expect(res.status, name(op)).not.toBe(429);
        }
      }
      expect(await creatorModel(api.deps.mongo).countDocuments({ username })).toBe(0);
    } finally {
      await api.close();
    }
  });

  it('when Redis is unreachable and rate limits fail closed, then every limited operation answers 503 with Retry-After', async () => {
    const api = await startCheckedApi(
      testConfig({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_ON_REDIS_ERROR: 'closed' }),
    );
    try {
      for (const [op, res] of await each(api, OPERATIONS)) {
        if (documents(op, 429)) {
          expect(res.status, name(op)).toBe(503);
          expect(errorCode(res), name(op)).toBe('SERVICE_UNAVAILABLE');
          expect(res.headers['retry-after'], name(op)).toBeDefined();
        } else {
          expect(errorCode(res), name(op)).not.toBe('SERVICE_UNAVAILABLE');
        }
      }
    } finally {
      await api.close();
    }
  });
});

describe('creator routes by id', () => {
  it('when the sample values name nothing, then the creator routes answer 404 for them', async () => {
    const api = await startTestApi();
    try {
      const { token } = await signup(api);
      const byId = OPERATIONS.filter(
        (op) => op.security?.includes('bearer') && op.path.includes('{id}') && !isOwnBody(op),
      );
      for (const [op, res] of await each(api, byId, (op) => ({
        headers: {
          authorization: `Bearer ${token}`,
          ...(op.method === 'patch' && { 'content-type': 'application/json' }),
        },
        ...(op.method === 'patch' && { body: JSON.stringify({ title: 'x' }) }),
      }))) {
        expect(res.status, name(op)).toBe(404);
      }
    } finally {
      await api.close();
    }
  });
});
