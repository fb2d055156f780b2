import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRazorpayClient } from '@storefront/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateDevCert } from '../../../../scripts/gen-dev-cert.ts';
import {
  startRazorpaySandbox,
  type RazorpaySandbox,
  type SandboxAccount,
} from '../../src/razorpay/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

// A receiver with a self-signed certificate, like the API under `make dev` with TLS.
let certDir: string;
let certPem: string;
let receiver: WebhookReceiver;
const sandboxes: RazorpaySandbox[] = [];

async function sandboxFor(
  tag: string,
  opts: { webhookCa?: string },
): Promise<{ sandbox: RazorpaySandbox; account: SandboxAccount }> {
  const account = {
    keyId: `rzp_test_https${tag}`,
    keySecret: `secret-${tag}`,
    webhookSecret: `whsec-${tag}`,
    webhookUrl: receiver.url,
  };
  const sandbox = await startRazorpaySandbox({
    accounts: [account],
    webhookRetries: 0,
    webhookTimeoutMs: 2_000,
    ...opts,
  });
  sandboxes.push(sandbox);
  return { sandbox, account };
}

async function payOne(sandbox: RazorpaySandbox, account: SandboxAccount): Promise<void> {
  const order = await createRazorpayClient({ ...account, baseUrl: sandbox.url }).orders.create({
    amount: 2_500,
    currency: 'INR',
  });
  await sandbox.pay(order.id, { status: 'captured' });
}

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'storefront-hooks-tls-'));
  const { certFile, keyFile } = generateDevCert(certDir);
  certPem = readFileSync(certFile, 'utf8');
  receiver = await startWebhookReceiver({
    tls: { cert: certPem, key: readFileSync(keyFile, 'utf8') },
  });
});
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.stop()));
  receiver.received.length = 0;
});
afterAll(async () => {
  await receiver.close();
  rmSync(certDir, { recursive: true, force: true });
});

describe('Razorpay sandbox webhooks to an https:// URL', () => {
  it('when the sandbox trusts the receiver certificate (webhookCa), then webhooks are delivered over TLS', async () => {
    expect(receiver.url.startsWith('https://')).toBe(true);
    const { sandbox, account } = await sandboxFor('trusted01', { webhookCa: certPem });
    await payOne(sandbox, account);

    const hooks = await receiver.waitFor(3);
    expect(hooks.map((h) => h.event)).toEqual([
      'payment.authorized',
      'payment.captured',
      'order.paid',
    ]);
    await sandbox.idle();
    const deliveries = sandbox.deliveries({ keyId: account.keyId });
    expect(deliveries.map((d) => [d.status, d.statusCode])).toEqual([
      ['delivered', 200],
      ['delivered', 200],
      ['delivered', 200],
    ]);
  });

  it('when the sandbox is not told to trust a self-signed receiver, then deliveries fail verification and nothing arrives', async () => {
    const { sandbox, account } = await sandboxFor('untrusted1', {});
    await payOne(sandbox, account);
    await sandbox.idle();

    const deliveries = sandbox.deliveries({ keyId: account.keyId });
    expect(deliveries).toHaveLength(3);
    for (const d of deliveries) {
      expect(d.status).toBe('failed');
      expect(d.error).toMatch(/self[- ]signed certificate/i);
    }
    expect(receiver.received).toHaveLength(0);
  });
});
