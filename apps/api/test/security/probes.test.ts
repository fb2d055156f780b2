import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { SignJWT } from 'jose';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, productModel } from '@storefront/shared';
import { signWebhook } from '@storefront/test-support';
import * as files from '../uploads/file-fixtures.ts';
import { errorCode, startSecureApi, type SecureApi } from './secure-api.ts';

// Hostile requests against every route of the real API over HTTPS. Each must get the expected
// 4xx JSON error (never a 5xx), carry the security headers, and change nothing: the database and
// the files bucket are compared before and after every probe.

const FRONTEND = 'https://shop.example.com';
const UPLOAD_MAX = 32 * 1024;
const WEBHOOK_MAX = 16 * 1024;

interface Ctx {
  a: {
    id: string;
    username: string;
    token: string;
    productId: string;
    email: string;
    password: string;
  };
  b: { id: string; token: string; productId: string };
  jwtSecret: string;
  adminUser: string;
  webhookSecret: string;
}

interface Probe {
  name: string;
  method?: string;
  path: (c: Ctx) => string;
  headers?: (c: Ctx) => Record<string, string>;
  body?: (c: Ctx) => string | Buffer;
  status: number;
  code?: string;
}

const json = { 'Content-Type': 'application/json' };
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const basic = (user: string, pass: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function creatorToken(
  secret: string,
  sub: string,
  opts: { alg?: string; aud?: string; exp?: number; iss?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(opts.iss ?? 'storefront')
    .setAudience(opts.aud ?? 'storefront:creator')
    .setIssuedAt(now - 10)
    .setExpirationTime(opts.exp ?? now + 3600)
    .sign(new TextEncoder().encode(secret));
}

function unsignedToken(sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
    sub,
    iss: 'storefront',
    aud: 'storefront:creator',
    iat: now,
    exp: now + 3600,
  })}.`;
}

const tokens: Record<string, string> = {};

/** A well-formed Standard Checkout handler payload (for no order of ours). */
function checkoutCallback(): string {
  return JSON.stringify({
    razorpay_payment_id: `pay_${randomBytes(7).toString('hex')}`,
    razorpay_order_id: `order_${randomBytes(7).toString('hex')}`,
    razorpay_signature: randomBytes(32).toString('hex'),
  });
}

function webhookEvent(): string {
  return JSON.stringify({
    entity: 'event',
    account_id: 'acc_test',
    event: 'payment.captured',
    contains: ['payment'],
    payload: {
      payment: { entity: { id: 'pay_x', order_id: 'order_x', amount: 100, status: 'captured' } },
    },
    created_at: Math.floor(Date.now() / 1000),
  });
}

const upload = (c: Ctx, productId: string, type: string, name: string) => ({
  ...bearer(c.a.token),
  'Content-Type': type,
  'X-File-Name': name,
});

const PROBES: Probe[] = [
  // --- token attacks on authenticated routes ---
  { name: 'GET /me without a token', path: () => '/api/v1/me', status: 401, code: 'UNAUTHORIZED' },
  {
    name: 'GET /me with a garbage bearer token',
    path: () => '/api/v1/me',
    headers: () => bearer('garbage'),
    status: 401,
  },
  {
    name: 'GET /me with an alg:none token',
    path: () => '/api/v1/me',
    headers: (c) => bearer(unsignedToken(c.a.id)),
    status: 401,
  },
  {
    name: 'GET /me with a token signed by another secret',
    path: () => '/api/v1/me',
    headers: () => bearer(tokens.wrongSecret!),
    status: 401,
  },
  {
    name: 'GET /me with an expired token',
    path: () => '/api/v1/me',
    headers: () => bearer(tokens.expired!),
    status: 401,
  },
  {
    name: 'GET /me with a token for a creator that does not exist',
    path: () => '/api/v1/me',
    headers: () => bearer(tokens.ghost!),
    status: 401,
  },
  {
    name: 'GET /me with a token for another audience',
    path: () => '/api/v1/me',
    headers: () => bearer(tokens.otherAudience!),
    status: 401,
  },
  {
    name: 'GET /me with an HS512 token (algorithm not allowed)',
    path: () => '/api/v1/me',
    headers: () => bearer(tokens.hs512!),
    status: 401,
  },
  {
    name: 'GET /me with Basic credentials',
    path: () => '/api/v1/me',
    headers: (c) => basic(c.a.email, c.a.password),
    status: 401,
  },
  {
    name: 'GET /me with an 8 KB Authorization header',
    path: () => '/api/v1/me',
    headers: () => bearer('a'.repeat(8_000)),
    status: 401,
  },
  {
    name: 'GET /me with the token in the query string',
    path: (c) => `/api/v1/me?token=${c.a.token}`,
    status: 401,
  },
  {
    name: 'PATCH /me without a token',
    method: 'PATCH',
    path: () => '/api/v1/me',
    headers: () => json,
    body: () => '{"displayName":"x"}',
    status: 401,
  },
  {
    name: 'POST /me/products without a token',
    method: 'POST',
    path: () => '/api/v1/me/products',
    headers: () => json,
    body: () => '{"title":"x","price":1000}',
    status: 401,
  },
  { name: 'GET /me/razorpay without a token', path: () => '/api/v1/me/razorpay', status: 401 },
  {
    name: 'PUT /me/razorpay without a token',
    method: 'PUT',
    path: () => '/api/v1/me/razorpay',
    headers: () => json,
    body: () => '{"keyId":"rzp_test_x","keySecret":"y","webhookSecret":"z"}',
    status: 401,
  },
  {
    name: 'DELETE /me/razorpay with a forged token',
    method: 'DELETE',
    path: () => '/api/v1/me/razorpay',
    headers: () => bearer(tokens.wrongSecret!),
    status: 401,
  },

  {
    name: 'PUT /me/razorpay with operator injection',
    method: 'PUT',
    path: () => '/api/v1/me/razorpay',
    headers: (c) => ({ ...bearer(c.a.token), ...json }),
    body: () => '{"keyId":{"$ne":""},"keySecret":"x","webhookSecret":"y"}',
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    name: 'PUT /me/razorpay with a malformed key id',
    method: 'PUT',
    path: () => '/api/v1/me/razorpay',
    headers: (c) => ({ ...bearer(c.a.token), ...json }),
    body: () => '{"keyId":"<script>","keySecret":"x","webhookSecret":"y"}',
    status: 400,
  },

  // --- one creator against another's data ---
  {
    name: "GET another creator's product",
    path: (c) => `/api/v1/me/products/${c.a.productId}`,
    headers: (c) => bearer(c.b.token),
    status: 404,
  },
  {
    name: "PATCH another creator's product",
    method: 'PATCH',
    path: (c) => `/api/v1/me/products/${c.a.productId}`,
    headers: (c) => ({ ...bearer(c.b.token), ...json }),
    body: () => '{"price":100}',
    status: 404,
  },
  {
    name: "DELETE another creator's product",
    method: 'DELETE',
    path: (c) => `/api/v1/me/products/${c.a.productId}`,
    headers: (c) => bearer(c.b.token),
    status: 404,
  },
  {
    name: "upload to another creator's product",
    method: 'POST',
    path: (c) => `/api/v1/me/products/${c.a.productId}/file`,
    headers: (c) => ({
      ...bearer(c.b.token),
      'Content-Type': 'application/pdf',
      'X-File-Name': 'a.pdf',
    }),
    body: () => files.pdf(4_000),
    status: 404,
  },
  {
    name: 'PATCH a product to move it to another creator',
    method: 'PATCH',
    path: (c) => `/api/v1/me/products/${c.a.productId}`,
    headers: (c) => ({ ...bearer(c.a.token), ...json }),
    body: (c) => JSON.stringify({ creatorId: c.b.id }),
    status: 400,
  },

  // --- MongoDB operator injection and mass assignment ---
  {
    name: 'login with $gt operators',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => json,
    body: () => '{"email":{"$gt":""},"password":{"$gt":""}}',
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    name: 'login with $ne on the email only',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => json,
    body: () => '{"email":{"$ne":null},"password":"whatever12"}',
    status: 400,
  },
  {
    name: 'login with an object where a string is expected',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => json,
    body: (c) => JSON.stringify({ email: c.a.email, password: { toString: 1 } }),
    status: 400,
    code: 'VALIDATION_ERROR',
  },
  {
    name: 'login with an array as the email',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => json,
    body: (c) => JSON.stringify({ email: [c.a.email], password: 'x'.repeat(12) }),
    status: 400,
  },
  {
    name: 'login with the wrong password',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => json,
    body: (c) => JSON.stringify({ email: c.a.email, password: 'wrong-password-1' }),
    status: 401,
  },
  {
    name: 'signup with a __proto__ key',
    method: 'POST',
    path: () => '/api/v1/auth/signup',
    headers: () => json,
    body: () =>
      '{"email":"p@example.test","password":"long-enough-1","username":"protoprobe","__proto__":{"admin":true}}',
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    name: 'signup with an unknown field (mass assignment)',
    method: 'POST',
    path: () => '/api/v1/auth/signup',
    headers: () => json,
    body: () =>
      '{"email":"m@example.test","password":"long-enough-1","username":"massprobe","role":"admin"}',
    status: 400,
  },
  {
    name: 'signup taking an existing username',
    method: 'POST',
    path: () => '/api/v1/auth/signup',
    headers: () => json,
    body: (c) =>
      JSON.stringify({
        email: 'dup@example.test',
        password: 'long-enough-1',
        username: c.a.username,
      }),
    status: 409,
  },
  {
    name: 'PATCH /me with a top-level $set',
    method: 'PATCH',
    path: () => '/api/v1/me',
    headers: (c) => ({ ...bearer(c.a.token), ...json }),
    body: () => '{"$set":{"username":"owned"}}',
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    name: 'PATCH /me with a dotted path key',
    method: 'PATCH',
    path: () => '/api/v1/me',
    headers: (c) => ({ ...bearer(c.a.token), ...json }),
    body: () => '{"razorpay.keyId":"rzp_test_evil"}',
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    name: 'PATCH /me with an operator inside a field',
    method: 'PATCH',
    path: () => '/api/v1/me',
    headers: (c) => ({ ...bearer(c.a.token), ...json }),
    body: () => '{"displayName":{"$gt":""}}',
    status: 400,
  },
  {
    name: 'PATCH a product price with $inc',
    method: 'PATCH',
    path: (c) => `/api/v1/me/products/${c.a.productId}`,
    headers: (c) => ({ ...bearer(c.a.token), ...json }),
    body: () => '{"price":{"$inc":1}}',
    status: 400,
  },
  {
    name: 'PATCH a product with a negative price',
    method: 'PATCH',
    path: (c) => `/api/v1/me/products/${c.a.productId}`,
    headers: (c) => ({ ...bearer(c.a.token), ...json }),
    body: () => '{"price":-100}',
    status: 400,
    code: 'VALIDATION_ERROR',
  },
  {
    name: 'storefront with a $where query key',
    path: (c) => `/api/v1/store/${c.a.username}?$where=sleep(1000)`,
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    name: 'storefront with a bracketed operator query key',
    path: (c) => `/api/v1/store/${c.a.username}?username[$ne]=x`,
    status: 400,
  },
  {
    name: 'storefront with a __proto__ query key',
    path: (c) => `/api/v1/store/${c.a.username}?__proto__=1`,
    status: 400,
  },
  {
    name: 'storefront for an operator-shaped username',
    path: () => `/api/v1/store/${encodeURIComponent('{"$gt":""}')}`,
    status: 400,
  },
  {
    name: 'storefront path traversal',
    path: () => '/api/v1/store/..%2f..%2fetc%2fpasswd',
    status: 400,
  },
  {
    name: 'order status with a token operator in the query',
    path: () => `/api/v1/orders/${new Types.ObjectId().toHexString()}?token[$ne]=x`,
    status: 400,
  },
  {
    name: 'checkout with an operator as the email',
    method: 'POST',
    path: (c) => `/api/v1/store/${c.a.username}/products/${c.a.productId}/checkout`,
    headers: () => json,
    body: () => '{"email":{"$ne":""}}',
    status: 400,
  },
  {
    name: 'checkout for a product id that is an operator',
    method: 'POST',
    path: (c) =>
      `/api/v1/store/${c.a.username}/products/${encodeURIComponent('{"$ne":1}')}/checkout`,
    headers: () => json,
    body: () => '{"email":"buyer@example.test"}',
    status: 404,
  },
  {
    name: "checkout for another creator's product under this username",
    method: 'POST',
    path: (c) => `/api/v1/store/${c.a.username}/products/${c.b.productId}/checkout`,
    headers: () => json,
    body: () => '{"email":"buyer@example.test"}',
    status: 404,
  },

  // --- card data is never accepted ---
  {
    name: 'checkout with card_number',
    method: 'POST',
    path: (c) => `/api/v1/store/${c.a.username}/products/${c.a.productId}/checkout`,
    headers: () => json,
    body: () => '{"email":"buyer@example.test","card_number":"4111111111111111"}',
    status: 400,
    code: 'CARD_DATA_REJECTED',
  },
  {
    name: 'checkout with a card object',
    method: 'POST',
    path: (c) => `/api/v1/store/${c.a.username}/products/${c.a.productId}/checkout`,
    headers: () => json,
    body: () =>
      '{"email":"buyer@example.test","card":{"number":"4111111111111111","cvv":"123","expiry_month":"12"}}',
    status: 400,
    code: 'CARD_DATA_REJECTED',
  },
  {
    name: 'checkout with a cvv',
    method: 'POST',
    path: (c) => `/api/v1/store/${c.a.username}/products/${c.a.productId}/checkout`,
    headers: () => json,
    body: () => '{"email":"buyer@example.test","cvv":"123"}',
    status: 400,
    code: 'CARD_DATA_REJECTED',
  },
  {
    name: 'a card number pasted into a profile bio',
    method: 'PATCH',
    path: () => '/api/v1/me',
    headers: (c) => ({ ...bearer(c.a.token), ...json }),
    body: () => '{"bio":"pay me: 5555 5555 5555 4444"}',
    status: 400,
    code: 'CARD_DATA_REJECTED',
  },
  {
    name: 'a card number in the query string',
    path: (c) => `/api/v1/store/${c.a.username}?ref=4111111111111111`,
    status: 400,
    code: 'CARD_DATA_REJECTED',
  },

  // --- bodies: type, size, shape ---
  {
    name: 'login as text/plain',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => ({ 'Content-Type': 'text/plain' }),
    body: () => 'email=a&password=b',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'login as a form post',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => ({ 'Content-Type': 'application/x-www-form-urlencoded' }),
    body: () => 'email=a&password=b',
    status: 415,
  },
  {
    name: 'login as multipart',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => ({ 'Content-Type': 'multipart/form-data; boundary=x' }),
    body: () => '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na\r\n--x--\r\n',
    status: 415,
  },
  {
    // Bodiless storefront GETs are answered before the body gate (app.ts); these must not be.
    name: 'storefront GET with a text body',
    path: (c) => `/api/v1/store/${c.a.username}`,
    headers: () => ({ 'Content-Type': 'text/plain' }),
    body: () => 'hello',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'storefront GET with card data in a JSON body',
    path: (c) => `/api/v1/store/${c.a.username}`,
    headers: () => json,
    body: () => '{"card_number":"4111111111111111"}',
    status: 400,
    code: 'CARD_DATA_REJECTED',
  },
  {
    name: 'login with a body but no Content-Type',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    body: () => '{"email":"a","password":"b"}',
    status: 415,
  },
  {
    name: 'login with a 200 KB JSON body',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => json,
    body: () => JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(200_000) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'login with malformed JSON',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => json,
    body: () => '{"email":',
    status: 400,
    code: 'MALFORMED_JSON',
  },
  {
    name: 'login with JSON nested 100 levels deep',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => json,
    body: () => `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`,
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    name: 'login with a bare JSON string',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => json,
    body: () => '"admin"',
    status: 400,
  },
  {
    name: 'login in an unsupported charset',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => ({ 'Content-Type': 'application/json; charset=iso-8859-1' }),
    body: () => '{}',
    status: 415,
  },
  {
    name: 'checkout with a non-JSON body',
    method: 'POST',
    path: (c) => `/api/v1/store/${c.a.username}/products/${c.a.productId}/checkout`,
    headers: () => ({ 'Content-Type': 'application/xml' }),
    body: () => '<email>x</email>',
    status: 415,
  },

  // --- uploads ---
  {
    name: 'upload PNG bytes declared as PDF',
    method: 'POST',
    path: (c) => `/api/v1/me/products/${c.a.productId}/file`,
    headers: (c) => upload(c, c.a.productId, 'application/pdf', 'a.pdf'),
    body: () => files.png(),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'upload HTML declared as PDF',
    method: 'POST',
    path: (c) => `/api/v1/me/products/${c.a.productId}/file`,
    headers: (c) => upload(c, c.a.productId, 'application/pdf', 'a.pdf'),
    body: () => files.html(),
    status: 415,
  },
  {
    name: 'upload an executable declared as ZIP',
    method: 'POST',
    path: (c) => `/api/v1/me/products/${c.a.productId}/file`,
    headers: (c) => upload(c, c.a.productId, 'application/zip', 'a.zip'),
    body: () => files.exe(),
    status: 415,
  },
  {
    name: 'upload a PDF named .html',
    method: 'POST',
    path: (c) => `/api/v1/me/products/${c.a.productId}/file`,
    headers: (c) => upload(c, c.a.productId, 'application/pdf', 'a.html'),
    body: () => files.pdf(),
    status: 415,
  },
  {
    name: 'upload an SVG',
    method: 'POST',
    path: (c) => `/api/v1/me/products/${c.a.productId}/file`,
    headers: (c) => upload(c, c.a.productId, 'image/svg+xml', 'a.svg'),
    body: () => '<svg onload="alert(1)"/>',
    status: 415,
  },
  {
    name: 'upload over UPLOAD_MAX_BYTES',
    method: 'POST',
    path: (c) => `/api/v1/me/products/${c.a.productId}/file`,
    headers: (c) => upload(c, c.a.productId, 'application/pdf', 'a.pdf'),
    body: () => files.pdf(UPLOAD_MAX + 1),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'upload with a path as the file name',
    method: 'POST',
    path: (c) => `/api/v1/me/products/${c.a.productId}/file`,
    headers: (c) => upload(c, c.a.productId, 'application/pdf', '..%2F..%2Fx.pdf'),
    body: () => files.pdf(),
    status: 400,
  },
  {
    name: 'upload without a token',
    method: 'POST',
    path: (c) => `/api/v1/me/products/${c.a.productId}/file`,
    headers: () => ({ 'Content-Type': 'application/pdf', 'X-File-Name': 'a.pdf' }),
    body: () => files.pdf(),
    status: 401,
  },

  // --- images (covers and avatars) ---
  {
    name: "cover image on another creator's product",
    method: 'PUT',
    path: (c) => `/api/v1/me/products/${c.a.productId}/image`,
    headers: (c) => ({ ...bearer(c.b.token), 'Content-Type': 'image/png' }),
    body: () => files.png(),
    status: 404,
  },
  {
    name: "DELETE another creator's cover image",
    method: 'DELETE',
    path: (c) => `/api/v1/me/products/${c.a.productId}/image`,
    headers: (c) => bearer(c.b.token),
    status: 404,
  },
  {
    name: 'cover image: HTML declared as PNG',
    method: 'PUT',
    path: (c) => `/api/v1/me/products/${c.a.productId}/image`,
    headers: (c) => ({ ...bearer(c.a.token), 'Content-Type': 'image/png' }),
    body: () => files.html(),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'cover image: an SVG',
    method: 'PUT',
    path: (c) => `/api/v1/me/products/${c.a.productId}/image`,
    headers: (c) => ({ ...bearer(c.a.token), 'Content-Type': 'image/svg+xml' }),
    body: () => '<svg onload="alert(1)"/>',
    status: 415,
  },
  {
    name: 'avatar: a PDF declared as JPEG',
    method: 'PUT',
    path: () => '/api/v1/me/avatar',
    headers: (c) => ({ ...bearer(c.a.token), 'Content-Type': 'image/jpeg' }),
    body: () => files.pdf(),
    status: 415,
  },
  {
    name: 'avatar without a token',
    method: 'PUT',
    path: () => '/api/v1/me/avatar',
    headers: () => ({ 'Content-Type': 'image/png' }),
    body: () => files.png(),
    status: 401,
  },
  {
    name: 'an image path reaching for a product file',
    path: (c) => `/img/..%2Fproducts%2F${c.a.productId}%2Fx`,
    status: 400,
    code: 'VALIDATION_ERROR',
  },
  {
    name: 'an image that does not exist',
    path: () => `/img/${'f'.repeat(32)}-160.webp`,
    status: 404,
    code: 'NOT_FOUND',
  },

  // --- admin without credentials ---
  { name: 'Bull Board without credentials', path: () => '/admin/queues', status: 401 },
  {
    name: 'Bull Board with a wrong password',
    path: () => '/admin/queues',
    headers: (c) => basic(c.adminUser, 'wrong-password-123'),
    status: 401,
  },
  {
    name: 'Bull Board API without credentials',
    path: () => '/admin/queues/api/queues',
    status: 401,
  },
  { name: 'DLQ list without credentials', path: () => '/api/v1/admin/dlq', status: 401 },
  {
    name: 'DLQ replay-all without credentials',
    method: 'POST',
    path: () => '/api/v1/admin/dlq/replay',
    headers: () => json,
    body: () => '{}',
    status: 401,
  },
  {
    name: 'DLQ discard with a creator token',
    method: 'POST',
    path: () => `/api/v1/admin/dlq/${new Types.ObjectId().toHexString()}/discard`,
    headers: (c) => ({ ...bearer(c.a.token), ...json }),
    body: () => '{"reason":"x"}',
    status: 401,
  },
  {
    name: 'DLQ with the username but no password',
    path: () => '/api/v1/admin/dlq',
    headers: (c) => ({ Authorization: `Basic ${Buffer.from(c.adminUser).toString('base64')}` }),
    status: 401,
  },
  { name: 'admin path in different case', path: () => '/ADMIN/queues', status: 401 },

  // --- webhooks: signature ---
  {
    name: 'webhook without a signature',
    method: 'POST',
    path: () => '/api/v1/webhooks/razorpay/platform',
    headers: () => ({ ...json, 'X-Razorpay-Event-Id': `evt_${randomBytes(6).toString('hex')}` }),
    body: () => webhookEvent(),
    status: 400,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'webhook with a bad signature',
    method: 'POST',
    path: () => '/api/v1/webhooks/razorpay/platform',
    headers: () => ({
      ...json,
      'X-Razorpay-Event-Id': `evt_${randomBytes(6).toString('hex')}`,
      'X-Razorpay-Signature': 'deadbeef'.repeat(8),
    }),
    body: () => webhookEvent(),
    status: 400,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'webhook signed with a guessable secret',
    method: 'POST',
    path: () => '/api/v1/webhooks/razorpay/platform',
    headers: () => {
      const b = webhookEvent();
      return {
        ...json,
        'X-Razorpay-Event-Id': `evt_${randomBytes(6).toString('hex')}`,
        'X-Razorpay-Signature': signWebhook(b, 'secret'),
      };
    },
    body: () => webhookEvent(),
    status: 400,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'webhook whose signature is for a different body',
    method: 'POST',
    path: () => '/api/v1/webhooks/razorpay/platform',
    headers: (c) => ({
      ...json,
      'X-Razorpay-Event-Id': `evt_${randomBytes(6).toString('hex')}`,
      'X-Razorpay-Signature': signWebhook('{"event":"something.else"}', c.webhookSecret),
    }),
    body: () => webhookEvent(),
    status: 400,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'webhook for an unknown account path',
    method: 'POST',
    path: () => '/api/v1/webhooks/razorpay/..%2fadmin',
    headers: () => json,
    body: () => webhookEvent(),
    status: 404,
  },
  {
    name: 'webhook over the body limit',
    method: 'POST',
    path: () => '/api/v1/webhooks/razorpay/platform',
    headers: () => json,
    body: () => 'x'.repeat(WEBHOOK_MAX + 1),
    status: 413,
  },

  // --- orders ---
  {
    name: 'order status without a token',
    path: () => `/api/v1/orders/${new Types.ObjectId().toHexString()}`,
    status: 404,
  },
  {
    name: 'order status with a wrong token',
    path: () => `/api/v1/orders/${new Types.ObjectId().toHexString()}`,
    headers: () => bearer('x'.repeat(43)),
    status: 404,
  },
  {
    name: 'checkout callback without a token',
    method: 'POST',
    path: () => `/api/v1/orders/${new Types.ObjectId().toHexString()}/payment`,
    headers: () => json,
    body: () => checkoutCallback(),
    status: 404,
  },
  {
    name: 'checkout callback with a wrong token',
    method: 'POST',
    path: () => `/api/v1/orders/${new Types.ObjectId().toHexString()}/payment`,
    headers: () => ({ ...json, ...bearer('x'.repeat(43)) }),
    body: () => checkoutCallback(),
    status: 404,
  },
  {
    name: 'checkout callback with an operator for the order id',
    method: 'POST',
    path: () => `/api/v1/orders/${new Types.ObjectId().toHexString()}/payment`,
    headers: () => ({ ...json, ...bearer('x'.repeat(43)) }),
    body: () =>
      JSON.stringify({ ...JSON.parse(checkoutCallback()), razorpay_order_id: { $ne: '' } }),
    status: 400,
    code: 'INVALID_INPUT',
  },

  // --- CORS, metrics, methods ---
  {
    name: 'preflight from a foreign origin',
    method: 'OPTIONS',
    path: () => '/api/v1/me',
    headers: () => ({ Origin: 'https://evil.example', 'Access-Control-Request-Method': 'PATCH' }),
    status: 403,
    code: 'CORS_ORIGIN_DENIED',
  },
  {
    name: 'preflight from a look-alike origin',
    method: 'OPTIONS',
    path: () => '/api/v1/auth/login',
    headers: () => ({
      Origin: `${FRONTEND}.evil.example`,
      'Access-Control-Request-Method': 'POST',
    }),
    status: 403,
  },
  {
    name: '/metrics through a proxy without a token',
    path: () => '/metrics',
    headers: () => ({ 'X-Forwarded-For': '203.0.113.5' }),
    status: 403,
    code: 'FORBIDDEN',
  },
  { name: 'TRACE on the API', method: 'TRACE', path: () => '/api/v1/me', status: 404 },
  { name: 'an unknown route', path: () => '/wp-admin/install.php', status: 404, code: 'NOT_FOUND' },
];

describe('security probes (HTTPS)', () => {
  let s: SecureApi;
  let s3: S3Client;
  let ctx: Ctx;

  async function state(): Promise<string> {
    const db = s.api.deps.mongo.db;
    if (!db) throw new Error('no database');
    const names = (await db.listCollections().toArray())
      .map((c) => c.name)
      .filter((n) => !n.startsWith('system.'))
      .sort();
    const out: Record<string, unknown> = {};
    for (const name of names)
      out[name] = await db.collection(name).find().sort({ _id: 1 }).toArray();
    const objects = await s3.send(
      new ListObjectsV2Command({
        Bucket: s.config.S3_BUCKET,
        Prefix: `products/${ctx.a.productId}/`,
      }),
    );
    out.s3 = (objects.Contents ?? []).map((o) => o.Key);
    return JSON.stringify(out);
  }

  async function signup(username: string) {
    const email = `${username}@example.test`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const res = await s.call('/api/v1/auth/signup', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password, username }),
    });
    expect(res.status).toBe(201);
    const body = res.json as { token: string; creator: { id: string } };
    const product = await productModel(s.api.deps.mongo).create({
      creatorId: new Types.ObjectId(body.creator.id),
      title: 'Probe product',
      price: 49_900,
      status: 'active',
    });
    return {
      id: body.creator.id,
      username,
      token: body.token,
      productId: product._id.toHexString(),
      email,
      password,
    };
  }

  beforeAll(async () => {
    s = await startSecureApi({
      CORS_ORIGINS: FRONTEND,
      RATE_LIMIT_PUBLIC_PER_MIN: '100000',
      RATE_LIMIT_ADMIN_PER_MIN: '100000',
      UPLOAD_MAX_BYTES: String(UPLOAD_MAX),
      WEBHOOK_MAX_BODY_BYTES: String(WEBHOOK_MAX),
    });
    s3 = createS3Client(s.config);
    const tag = randomBytes(4).toString('hex');
    const a = await signup(`probe-a-${tag}`);
    const b = await signup(`probe-b-${tag}`);
    ctx = {
      a,
      b,
      jwtSecret: s.config.JWT_SECRET,
      adminUser: s.config.ADMIN_USERNAME,
      webhookSecret: s.config.RAZORPAY_WEBHOOK_SECRET,
    };
    tokens.wrongSecret = await creatorToken('another-secret-'.repeat(3), a.id);
    tokens.expired = await creatorToken(s.config.JWT_SECRET, a.id, {
      exp: Math.floor(Date.now() / 1000) - 60,
    });
    tokens.ghost = await creatorToken(s.config.JWT_SECRET, new Types.ObjectId().toHexString());
    tokens.otherAudience = await creatorToken(s.config.JWT_SECRET, a.id, {
      aud: 'storefront:order',
    });
    tokens.hs512 = await creatorToken(s.config.JWT_SECRET, a.id, { alg: 'HS512' });
  });

  afterAll(async () => {
    s3.destroy();
    await s.close();
  });

  it('when counting the probes, then there are at least 50', () => {
    expect(PROBES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(PROBES.map((p) => [p.name, p] as const))(
    'when probing with %s, then the answer is the expected 4xx JSON and nothing changes',
    async (_name, probe) => {
      const before = await state();
      const res = await s.call(probe.path(ctx), {
        method: probe.method ?? 'GET',
        headers: probe.headers?.(ctx),
        body: probe.body?.(ctx),
      });
      expect(res.status, res.text.slice(0, 300)).toBe(probe.status);
      expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
      if (probe.code) expect(errorCode(res)).toBe(probe.code);
      else expect(errorCode(res)).toBeTypeOf('string');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{8,}; includeSubDomains/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(await state()).toBe(before);
    },
  );

  it('when a request id carries header-injection characters, then it is not echoed back', async () => {
    const res = await s.call('/api/v1/store/nobody-here', {
      headers: { 'X-Request-Id': 'abc"def<script>' },
    });
    expect(res.headers['x-request-id']).not.toContain('<');
    expect(res.status).toBe(404);
  });
});
