import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoServer, type MongoServerHandle } from '@storefront/devstack';
import { testConfig, uniqueName, withDatabase } from '@storefront/devstack/test-harness';
import {
  callRaw,
  errorCode,
  signup,
  startCheckedApi,
  type TestCreator,
} from '@storefront/test-support';
import type { RunningApi } from '../src/server.ts';
import * as images from './images/image-fixtures.ts';
import * as files from './uploads/file-fixtures.ts';

// When MongoDB fails every data command, the routes whose services reach it unwrapped answer 500
// in the error envelope with an error id (never a hang, never a partial answer); the document
// lists 500 for exactly those (openapi/responses.ts `common`). The failure is MongoDB's own
// failCommand failpoint, on a MongoDB stand-in of this file's own, so no other test sees it.

const ADMIN = { user: 'ops', password: 'correct-horse-admin' };
const DATA_COMMANDS = [
  'find',
  'insert',
  'update',
  'delete',
  'findAndModify',
  'aggregate',
  'count',
  'getMore',
  'distinct',
];

let mongo: MongoServerHandle;
let api: RunningApi;
let creator: TestCreator;

beforeAll(async () => {
  mongo = await startMongoServer();
  api = await startCheckedApi(
    testConfig({
      MONGO_URL: withDatabase(mongo.url, uniqueName('fail')),
      ADMIN_USERNAME: ADMIN.user,
      ADMIN_PASSWORD: ADMIN.password,
    }),
  );
  creator = await signup(api);
  const db = api.deps.mongo.db;
  if (!db) throw new Error('not connected');
  await db.admin().command({
    configureFailPoint: 'failCommand',
    mode: 'alwaysOn',
    data: { failCommands: DATA_COMMANDS, errorCode: 1 },
  });
});
afterAll(async () => {
  await api?.close();
  await mongo?.stop();
});

describe('when MongoDB fails every data command', () => {
  it('then each route that reads or writes it answers 500 INTERNAL with an error id', async () => {
    const id = new Types.ObjectId().toHexString();
    const bearer = { authorization: `Bearer ${creator.token}` };
    const basic = {
      authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`,
    };
    const json = (body: unknown, headers: Record<string, string> = {}) => ({
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const payment = {
      razorpay_payment_id: 'pay_AAAAAAAAAAAA',
      razorpay_order_id: 'order_AAAAAAAAAAAA',
      razorpay_signature: 'a'.repeat(64),
    };
    const png = await images.png(64, 64);
    const requests: Array<[string, string, Parameters<typeof callRaw>[1]]> = [
      [
        'POST',
        '/api/v1/auth/signup',
        json({
          email: 'x@example.com',
          password: 'correct-horse-battery',
          username: uniqueName('x').replace(/_/g, '-'),
        }),
      ],
      ['POST', '/api/v1/auth/login', json({ email: creator.email, password: creator.password })],
      [
        'POST',
        `/api/v1/store/${creator.username}/products/${id}/checkout`,
        json({ email: 'buyer@example.com' }),
      ],
      ['GET', `/api/v1/orders/${id}?token=abc`, {}],
      ['POST', `/api/v1/orders/${id}/payment?token=abc`, json(payment)],
      ['GET', '/api/v1/me', { headers: bearer }],
      ['PATCH', '/api/v1/me', json({ displayName: 'New name' }, bearer)],
      ['GET', '/api/v1/me/products', { headers: bearer }],
      ['POST', '/api/v1/me/products', json({ title: 'Preset pack', price: 49900 }, bearer)],
      ['GET', `/api/v1/me/products/${id}`, { headers: bearer }],
      ['PATCH', `/api/v1/me/products/${id}`, json({ price: 59900 }, bearer)],
      ['DELETE', `/api/v1/me/products/${id}`, { headers: bearer }],
      [
        'POST',
        `/api/v1/me/products/${id}/file`,
        {
          headers: { ...bearer, 'content-type': 'application/pdf', 'x-file-name': 'guide.pdf' },
          body: files.pdf(),
        },
      ],
      [
        'PUT',
        `/api/v1/me/products/${id}/image`,
        { headers: { ...bearer, 'content-type': 'image/png' }, body: png },
      ],
      ['DELETE', `/api/v1/me/products/${id}/image`, { headers: bearer }],
      [
        'PUT',
        '/api/v1/me/avatar',
        { headers: { ...bearer, 'content-type': 'image/png' }, body: png },
      ],
      ['DELETE', '/api/v1/me/avatar', { headers: bearer }],
      ['GET', '/api/v1/me/razorpay', { headers: bearer }],
      ['DELETE', '/api/v1/me/razorpay', { headers: bearer }],
      ['GET', '/api/v1/admin/dlq', { headers: basic }],
      ['POST', '/api/v1/admin/dlq/replay', json({}, basic)],
      ['GET', '/api/v1/admin/dlq/evt_AAAAAAAAAAAA', { headers: basic }],
      ['POST', '/api/v1/admin/dlq/evt_AAAAAAAAAAAA/replay', { headers: basic }],
      [
        'POST',
        '/api/v1/admin/dlq/evt_AAAAAAAAAAAA/discard',
        json({ reason: 'refunded by hand' }, basic),
      ],
    ];
    for (const [method, path, opts] of requests) {
      const res = await callRaw(`${api.url}${path}`, { ...opts, method });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(500);
      expect(errorCode(res), path).toBe('INTERNAL');
      const details = (res.json as { error: { details?: { errorId?: string } } }).error.details;
      expect(details?.errorId, path).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
