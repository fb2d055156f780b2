import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import Transport from 'winston-transport';
import { testConfig, uniqueName } from '@storefront/devstack/test-harness';
import { createLogger, orderModel, type Config, type Logger, type Order } from '@storefront/shared';
import {
  capturedEvent,
  checkout,
  createCreatorWithProduct,
  eventually,
  getOrderStatus,
  newRazorpayKeys,
  payInSandbox,
  pollUntil,
  postWebhook,
  type RazorpayKeys,
  registerSandboxAccount,
  webhookUrl,
  startCheckedApi,
} from '@storefront/test-support';
import { startWorker, type RunningWorker } from '@storefront/worker';
import { TokenService } from '../../src/auth/token.service.ts';
import type { RunningApi } from '../../src/server.ts';
import * as files from '../uploads/file-fixtures.ts';

// The whole flow, checkout to delivery, with hostile card data thrown in at every door; then
// every log line either process wrote and every document in every collection is scanned for
// card numbers, CVV fields and the deployment's secrets.

const TEST_CARDS = ['4111111111111111', '5555555555554444', '378282246310005', '4000056655665556'];
const CARD_RUN = /(?<![0-9A-Za-z])\d(?:[ -]?\d){11,18}(?![0-9A-Za-z])/g;
const CVV_FIELD = /"(?:cvv|cvv2|cvc|cvc2|card_number|cardNumber)"\s*:\s*"(?!\[redacted\])[^"]*"/i;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Card-number-like runs (12–19 digits, Luhn-valid) in `text`. */
function cardNumbersIn(text: string): string[] {
  return [...text.matchAll(CARD_RUN)]
    .map((m) => m[0].replace(/[ -]/g, ''))
    .filter((d) => d.length >= 12 && d.length <= 19 && luhn(d));
}

class MemoryTransport extends Transport {
  readonly lines: string[] = [];
  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    // The exact text the Console transport would have written.
    const formatted = info[Symbol.for('message')];
    this.lines.push(typeof formatted === 'string' ? formatted : JSON.stringify(info));
    next();
  }
}

function capturingLogger(service: string, sink: MemoryTransport): Logger {
  const logger = createLogger({ level: 'debug', service });
  logger.clear();
  logger.add(sink);
  return logger;
}

const sink = new MemoryTransport();
let config: Config;
let api: RunningApi;
let worker: RunningWorker;
let keys: RazorpayKeys;
const secretsSeen: Record<string, string> = {};

beforeAll(async () => {
  const platform = newRazorpayKeys();
  config = testConfig(
    {
      RAZORPAY_KEY_ID: platform.keyId,
      RAZORPAY_KEY_SECRET: platform.keySecret,
      RAZORPAY_WEBHOOK_SECRET: platform.webhookSecret,
      METRICS_TOKEN: `metrics-${randomBytes(12).toString('hex')}`,
      RATE_LIMIT_PUBLIC_PER_MIN: '100000',
      RATE_LIMIT_WEBHOOK_PER_MIN: '100000',
      WEBHOOK_SWEEP_INTERVAL_MS: '250',
    },
    uniqueName('card'),
  );
  api = await startCheckedApi(config, { logger: capturingLogger('api', sink) });
  worker = await startWorker(config, { logger: capturingLogger('worker', sink) });
  await registerSandboxAccount(inject('razorpayUrl'), {
    ...platform,
    webhookUrl: webhookUrl(api.url, 'platform'),
  });
});

afterAll(async () => {
  await Promise.allSettled([api?.close(), worker?.close()]);
});

describe('no raw card data, no secrets at rest or in logs', () => {
  it('when a purchase runs end to end with card data thrown at every input, then the card data is refused and the file is delivered', async () => {
    // A creator with their own Razorpay account and an uploaded file.
    keys = newRazorpayKeys();
    const seeded = await createCreatorWithProduct(api.deps.mongo, {
      config,
      razorpay: keys,
      file: null,
    });
    await registerSandboxAccount(inject('razorpayUrl'), {
      ...keys,
      webhookUrl: webhookUrl(api.url, seeded.creator.id),
    });
    const token = await new TokenService(config).issue(seeded.creator.id);
    const fileBytes = files.pdf(10_000);
    const up = await fetch(`${api.url}/api/v1/me/products/${seeded.product.id}/file`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/pdf',
        'X-File-Name': 'guide.pdf',
      },
      body: fileBytes,
    });
    expect(up.status).toBe(201);

    // Card data at the checkout door: refused.
    for (const body of [
      { email: 'buyer@example.test', card_number: TEST_CARDS[0] },
      {
        email: 'buyer@example.test',
        card: { number: TEST_CARDS[1], cvv: '123', expiry_month: '12' },
      },
      { email: 'buyer@example.test', cvv: '123' },
      { email: `${TEST_CARDS[2]}@example.test` },
    ]) {
      const res = await checkout(api.url, seeded.creator.username, seeded.product.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    // ... in a profile, in a query string
    const patch = await fetch(`${api.url}/api/v1/me`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ bio: `card ${TEST_CARDS[3]} exp 12/30 cvv 123` }),
    });
    expect(patch.status).toBe(400);
    const query = await fetch(
      `${api.url}/api/v1/store/${seeded.creator.username}?card=${TEST_CARDS[0]}`,
    );
    expect(query.status).toBe(400);

    // The real purchase.
    const order = await checkout(api.url, seeded.creator.username, seeded.product.id, {
      email: 'buyer@example.test',
      contact: '+919000090000',
    });
    expect(order.status).toBe(201);
    await payInSandbox(inject('razorpayUrl'), order.body.razorpay.orderId, { status: 'captured' });

    // A correctly signed event that carries full card details (Razorpay never sends these; the
    // inbox must not keep them if it ever did).
    const event = capturedEvent(order.body.razorpay.orderId, seeded.product.price);
    const payment = (event.payload as { payment: { entity: Record<string, unknown> } }).payment
      .entity;
    payment.card = {
      id: 'card_x',
      number: TEST_CARDS[0],
      cvv: '123',
      expiry_month: 12,
      expiry_year: 2030,
    };
    payment.cvv = '123';
    payment.card_number = TEST_CARDS[1];
    // ... and card numbers a buyer typed into free text Razorpay passes on (kept fields).
    payment.notes = {
      orderId: order.body.orderId,
      gift_message: `my card is ${TEST_CARDS[0]!.replace(/(\d{4})/g, '$1 ').trim()}`,
      other: `${TEST_CARDS[1]!.replace(/(\d{4})(?=\d)/g, '$1-')}`,
    };
    payment.error_description = `declined ${TEST_CARDS[2]}`;
    payment.error_reason = `card_${TEST_CARDS[3]}_x ${TEST_CARDS[3]}`;
    const hostile = await postWebhook(api.url, seeded.creator.id, event, {
      secret: keys.webhookSecret,
      eventId: `evt_${randomBytes(7).toString('hex')}`,
    });
    expect(hostile.status).toBe(200);

    // A failed payment whose error text carries a card number: stored on the order it failed.
    const second = await checkout(api.url, seeded.creator.username, seeded.product.id, {
      email: 'buyer@example.test',
    });
    expect(second.status).toBe(201);
    const failed = capturedEvent(second.body.razorpay.orderId, seeded.product.price);
    failed.event = 'payment.failed';
    const failedPayment = (failed.payload as { payment: { entity: Record<string, unknown> } })
      .payment.entity;
    Object.assign(failedPayment, {
      status: 'failed',
      captured: false,
      error_code: 'BAD_REQUEST_ERROR',
      error_description: `Card ${TEST_CARDS[1]} was declined by the bank`,
      error_reason: `payment_failed for 6759 6498 2643 8453`,
      notes: { orderId: second.body.orderId, note: `pay with ${TEST_CARDS[3]}` },
    });
    const failedRes = await postWebhook(api.url, seeded.creator.id, failed, {
      secret: keys.webhookSecret,
      eventId: `evt_${randomBytes(7).toString('hex')}`,
    });
    expect(failedRes.status).toBe(200);
    const failedOrder = await eventually(async () => {
      const o = await orderModel(api.deps.mongo).findById(second.body.orderId).lean<Order>().exec();
      return o?.lastPaymentError ? o : null;
    });
    expect(failedOrder.lastPaymentError?.description).toBe(
      'Card [redacted-digits] was declined by the bank',
    );

    // Failed attempts that log: bad webhook signature, wrong admin password.
    const bad = await postWebhook(api.url, seeded.creator.id, event, {
      secret: 'not-the-secret',
      eventId: `evt_${randomBytes(7).toString('hex')}`,
    });
    expect(bad.status).toBe(400);
    const admin = await fetch(`${api.url}/api/v1/admin/dlq`, {
      headers: {
        Authorization: `Basic ${Buffer.from(`admin:${TEST_CARDS[0]}`).toString('base64')}`,
      },
    });
    expect(admin.status).toBe(401);

    // Delivered: the buyer downloads the file through a short-lived URL.
    const view = await pollUntil(
      async () => (await getOrderStatus(api.url, order.body.orderId, order.body.accessToken)).body,
      (body) => Boolean(body.download),
      { what: 'a download link on the order page', timeoutMs: 20_000, intervalMs: 100 },
    );
    const download = view.download as { url: string } | undefined;
    expect(download?.url).toBeDefined();
    const url = new URL(download!.url);
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(900);
    const file = await fetch(url);
    expect(Buffer.from(await file.arrayBuffer()).equals(fileBytes)).toBe(true);
    const paid = await orderModel(api.deps.mongo).findById(order.body.orderId).lean<Order>().exec();
    expect(paid?.status).toBe('paid');

    secretsSeen.jwt = token;
    secretsSeen.accessToken = order.body.accessToken;

    // Stop both processes so every log line is written, then scan.
    await Promise.all([api.close(), worker.close()]);
  });

  it('when every log line is scanned, then it holds no card number, CVV field, secret or token', () => {
    // The scanner itself: it must see what it is looking for.
    expect(cardNumbersIn('{"n":"4111 1111 1111 1111","id":"6b0771a4111111111111111c"}')).toEqual([
      '4111111111111111',
    ]);
    expect(CVV_FIELD.test('{"cvv":"123"}')).toBe(true);
    expect(sink.lines.length).toBeGreaterThan(5);
    expect(sink.lines.some((l) => l.includes('webhook with a bad signature'))).toBe(true);
    const secrets = secretValues();
    const problems: string[] = [];
    for (const line of sink.lines) {
      const cards = cardNumbersIn(line);
      if (cards.length > 0)
        problems.push(`card number ${cards.join(',')} in log: ${line.slice(0, 200)}`);
      if (CVV_FIELD.test(line)) problems.push(`CVV/card field in log: ${line.slice(0, 200)}`);
      for (const [name, value] of Object.entries({ ...secrets, ...secretsSeen })) {
        if (line.includes(value)) problems.push(`${name} in log: ${line.slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('when every document in every collection is scanned, then it holds no card number, CVV field or secret', async () => {
    const reopened = await startCheckedApi(config, {
      logger: capturingLogger('scan', new MemoryTransport()),
    });
    try {
      const db = reopened.deps.mongo.db!;
      const names = (await db.listCollections().toArray()).map((c) => c.name);
      expect(names).toEqual(
        expect.arrayContaining(['orders', 'webhook_events', 'transactions', 'creators']),
      );
      const secrets = secretValues();
      const problems: string[] = [];
      for (const name of names) {
        for (const doc of await db.collection(name).find().toArray()) {
          const text = JSON.stringify(doc);
          const cards = cardNumbersIn(text);
          if (cards.length > 0)
            problems.push(`card number ${cards.join(',')} in ${name}: ${text.slice(0, 200)}`);
          if (CVV_FIELD.test(text) || /"cvv"|"cvc"/i.test(text))
            problems.push(`CVV/card field in ${name}: ${text.slice(0, 200)}`);
          for (const [secret, value] of Object.entries(secrets)) {
            if (text.includes(value)) problems.push(`${secret} in ${name}`);
          }
          if (text.includes(secretsSeen.accessToken ?? '\u0000'))
            problems.push(`order access token in ${name}`);
        }
      }
      expect(problems).toEqual([]);
    } finally {
      await reopened.close();
    }
  });
});

function secretValues(): Record<string, string> {
  const encryptionKeys = config.ENCRYPTION_KEYS.split(',').map((pair) => pair.split(':')[1] ?? '');
  const out: Record<string, string> = {
    JWT_SECRET: config.JWT_SECRET,
    ADMIN_PASSWORD: config.ADMIN_PASSWORD,
    RAZORPAY_KEY_SECRET: config.RAZORPAY_KEY_SECRET,
    RAZORPAY_WEBHOOK_SECRET: config.RAZORPAY_WEBHOOK_SECRET,
    METRICS_TOKEN: config.METRICS_TOKEN ?? '',
    creatorKeySecret: keys.keySecret,
    creatorWebhookSecret: keys.webhookSecret,
  };
  encryptionKeys.forEach((k, i) => (out[`ENCRYPTION_KEYS[${i}]`] = k));
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v.length >= 8));
}
