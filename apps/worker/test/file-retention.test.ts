import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buy,
  eventually,
  getOrderStatus,
  payInSandbox,
  sellingCreator,
  type Stack,
  startStack,
} from '@storefront/test-support';
import { TokenService } from '@storefront/api';

// A paid buyer keeps the exact file they were delivered, whatever the creator does later
// (replace, hide, delete); new buyers get the current file. Real API, worker, sandbox and S3.

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const pdf = (text: string) => Buffer.from(`%PDF-1.4\n${text}\n%%EOF\n`);

async function uploadAs(token: string, productId: string, name: string, body: Buffer) {
  const res = await fetch(`${stack.api.url}/api/v1/me/products/${productId}/file`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/pdf',
      'x-file-name': encodeURIComponent(name),
    },
    body,
  });
  expect(res.status).toBe(201);
}

async function editAs(token: string, productId: string, method: 'PATCH' | 'DELETE', body?: object) {
  const res = await fetch(`${stack.api.url}/api/v1/me/products/${productId}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(res.status).toBeLessThan(300);
}

/** Buys and pays the product, then waits until the order page offers the download. */
async function buyAndPay(seeded: Awaited<ReturnType<typeof sellingCreator>>) {
  const order = await buy(stack.api.url, seeded);
  await payInSandbox(inject('razorpayUrl'), order.razorpay.orderId, { status: 'captured' });
  await eventually(async () => {
    const res = await getOrderStatus(stack.api.url, order.orderId, order.accessToken);
    return res.body.download ? res : null;
  });
  return order;
}

/** Fetches the order's download link fresh, as the buyer's order page does. */
async function download(order: { orderId: string; accessToken: string }) {
  const view = await getOrderStatus(stack.api.url, order.orderId, order.accessToken);
  expect(view.status).toBe(200);
  const link = view.body.download as { url: string } | null;
  expect(link).not.toBeNull();
  const res = await fetch(link!.url);
  return {
    status: res.status,
    disposition: res.headers.get('content-disposition'),
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

describe('delivered files outlive the creator’s later changes', () => {
  it('when the creator replaces, hides and deletes a product after a sale, then the first buyer still downloads v1 under its name and a new buyer gets v2', async () => {
    const seeded = await sellingCreator(stack);
    const token = await new TokenService(stack.config).issue(seeded.creator.id);
    const v1 = pdf('edition one');
    const v2 = pdf('edition two, longer');
    await uploadAs(token, seeded.product.id, 'edition-1.pdf', v1);

    const first = await buyAndPay(seeded);
    const before = await download(first);
    expect(before.status).toBe(200);
    expect(before.bytes.equals(v1)).toBe(true);
    expect(before.disposition).toContain('filename="edition-1.pdf"');

    await uploadAs(token, seeded.product.id, 'edition-2.pdf', v2);
    const afterReplace = await download(first);
    expect(afterReplace.status).toBe(200);
    expect(afterReplace.bytes.equals(v1)).toBe(true);
    expect(afterReplace.disposition).toContain('filename="edition-1.pdf"');

    const second = await buyAndPay(seeded);
    const fresh = await download(second);
    expect(fresh.status).toBe(200);
    expect(fresh.bytes.equals(v2)).toBe(true);
    expect(fresh.disposition).toContain('filename="edition-2.pdf"');

    await editAs(token, seeded.product.id, 'PATCH', { status: 'draft' });
    await uploadAs(token, seeded.product.id, 'edition-3.pdf', pdf('edition three'));
    await editAs(token, seeded.product.id, 'DELETE');
    for (const [order, bytes] of [
      [first, v1],
      [second, v2],
    ] as const) {
      const later = await download(order);
      expect(later.status).toBe(200);
      expect(later.bytes.equals(bytes)).toBe(true);
    }
  });
});
