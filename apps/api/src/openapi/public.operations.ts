import { z } from 'zod';
import { loginBody, signupBody } from '../auth/auth.schemas.ts';
import { checkoutBody } from '../checkout/checkout.schemas.ts';
import { orderPaymentBody } from '../orders/order-payment.schemas.ts';
import { orderStatusQuery } from '../orders/order-status.schemas.ts';
import type { OperationSpec } from './operation.ts';
import {
  RATE,
  err,
  E401,
  E404,
  E409,
  E413,
  E500,
  E502,
  bodyLayer,
  common,
  guarded,
  layers,
  limited,
  ok,
} from './responses.ts';
import * as r from './response.schemas.ts';

/** Routes without a creator session: auth, storefront, checkout, orders, webhooks, pages, ops. */
export const PUBLIC_OPERATIONS: OperationSpec[] = [
  {
    method: 'post',
    path: '/api/v1/auth/signup',
    operationId: 'signup',
    summary: 'Create a creator account',
    tag: 'auth',
    body: {
      schema: signupBody,
      example: { email: 'asha@example.com', password: 'correct horse battery', username: 'asha' },
    },
    responses: { 201: ok('The session', r.sessionResponse), 409: E409, ...common },
  },
  {
    method: 'post',
    path: '/api/v1/auth/login',
    operationId: 'login',
    summary: 'Sign in',
    tag: 'auth',
    body: { schema: loginBody },
    responses: { 200: ok('The session', r.sessionResponse), 401: E401, ...common },
  },
  {
    method: 'get',
    path: '/api/v1/store/{username}',
    operationId: 'getStorefront',
    summary: 'A creator’s public storefront',
    tag: 'storefront',
    pathParams: z.strictObject({ username: z.string() }),
    headers: [
      { name: 'If-None-Match', required: false, description: 'An ETag from an earlier answer' },
    ],
    responses: {
      200: ok('The storefront', r.storefrontResponse, [...RATE, 'ETag']),
      304: { description: 'Not modified', headers: ['ETag'] },
      404: E404,
      // Storefront reads turn storage failures into 503 (store-cache.service.ts).
      ...layers,
    },
  },
  {
    method: 'post',
    path: '/api/v1/store/{username}/products/{productId}/checkout',
    operationId: 'checkout',
    summary: 'Start buying a product',
    tag: 'checkout',
    pathParams: z.strictObject({ username: z.string(), productId: z.string() }),
    body: { schema: checkoutBody, example: { email: 'buyer@example.com' } },
    responses: {
      201: ok('The order and what Razorpay Checkout needs', r.checkoutResponse),
      404: E404,
      409: E409,
      502: E502,
      504: err('Razorpay did not answer in time'),
      ...common,
    },
  },
  {
    method: 'get',
    path: '/api/v1/orders/{id}',
    operationId: 'getOrder',
    summary: 'An order’s status (buyer); can wait for its download',
    tag: 'orders',
    security: ['orderToken'],
    pathParams: z.strictObject({ id: z.string() }),
    query: orderStatusQuery,
    responses: { 200: ok('The order', r.orderStatusResponse), 404: E404, ...common },
  },
  {
    method: 'post',
    path: '/api/v1/orders/{id}/payment',
    operationId: 'confirmOrderPayment',
    summary: 'Checkout’s success callback',
    tag: 'orders',
    security: ['orderToken'],
    pathParams: z.strictObject({ id: z.string() }),
    query: z.strictObject({ token: z.string().optional() }),
    body: { schema: orderPaymentBody },
    responses: {
      200: ok(
        'The order as it stands: `paid` once Razorpay’s capture is applied; still `pending` while it is awaited (a busy API leaves the check to the worker and the webhooks: poll `GET /api/v1/orders/{id}`)',
        r.orderStatusResponse,
      ),
      404: E404,
      409: E409,
      502: E502,
      504: err('Razorpay did not answer in time'),
      ...common,
    },
  },
  {
    method: 'post',
    path: '/api/v1/webhooks/razorpay/{account}',
    operationId: 'razorpayWebhook',
    summary: 'Razorpay webhook (platform or a creator id)',
    tag: 'webhooks',
    security: ['razorpaySignature'],
    pathParams: z.strictObject({ account: z.string() }),
    headers: [
      {
        name: 'X-Razorpay-Signature',
        required: true,
        description: 'Hex HMAC-SHA256 of the raw body',
      },
      {
        name: 'X-Razorpay-Event-Id',
        required: true,
        description: 'Razorpay’s event id, the idempotency key',
      },
    ],
    body: { mediaType: 'application/json' },
    responses: {
      200: ok('Stored (or a duplicate)', r.webhookAckResponse),
      401: E401,
      404: E404,
      // Webhooks read their own raw body (no 415 from the JSON layer).
      413: E413,
      ...guarded,
      ...limited,
      500: E500,
    },
  },
  {
    method: 'get',
    path: '/img/{name}',
    operationId: 'getImage',
    summary: 'An image variant',
    tag: 'images',
    pathParams: z.strictObject({ name: z.string() }),
    responses: {
      200: { description: 'The image', body: { mediaType: 'image/*' }, headers: ['ETag'] },
      304: { description: 'Not modified', headers: ['ETag'] },
      404: E404,
      // Image storage failures are 503 (image-bucket.ts).
      ...layers,
    },
  },
  {
    method: 'get',
    path: '/{username}',
    operationId: 'getStorePage',
    summary: 'A creator’s storefront page (HTML)',
    tag: 'pages',
    pathParams: z.strictObject({ username: z.string() }),
    responses: {
      200: {
        description: 'The page',
        body: { mediaType: 'text/html', text: true },
        headers: ['ETag'],
      },
      304: { description: 'Not modified', headers: ['ETag'] },
      404: { description: 'No such creator', body: { mediaType: 'text/html', text: true } },
      ...layers,
    },
  },
  {
    method: 'get',
    path: '/orders/{id}',
    operationId: 'getOrderPage',
    summary: 'The buyer’s order page (HTML)',
    tag: 'pages',
    pathParams: z.strictObject({ id: z.string() }),
    responses: {
      200: { description: 'The page', body: { mediaType: 'text/html', text: true } },
      ...layers,
    },
  },
  {
    method: 'get',
    path: '/assets/{file}',
    operationId: 'getPageAsset',
    summary: 'A page script or stylesheet',
    tag: 'pages',
    pathParams: z.strictObject({ file: z.string() }),
    responses: {
      200: { description: 'The asset', body: { mediaType: 'text/javascript', text: true } },
      404: E404,
      // Never rate limited (rate-limit-policy.ts).
      ...guarded,
      ...bodyLayer,
    },
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness',
    tag: 'ops',
    // Health, readiness and metrics: before the rate limiter and the JSON body layer.
    responses: { 200: ok('Alive', r.healthResponse, []), ...guarded },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'ready',
    summary: 'Readiness (Mongo, Redis, draining)',
    tag: 'ops',
    responses: {
      200: ok('Ready', r.readinessResponse, []),
      503: ok('Not ready', r.readinessResponse, []),
      ...guarded,
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics (private networks or a bearer token)',
    tag: 'ops',
    responses: {
      200: { description: 'Prometheus text format', body: { mediaType: 'text/plain', text: true } },
      403: err('Not from an allowed network', []),
      ...guarded,
    },
  },
  {
    method: 'get',
    path: '/api/docs',
    operationId: 'getDocsPage',
    summary: 'Readable docs of this document (Swagger UI, served by us)',
    tag: 'ops',
    responses: {
      200: { description: 'The page', body: { mediaType: 'text/html', text: true } },
      ...layers,
    },
  },
  {
    method: 'get',
    path: '/api/docs/{file}',
    operationId: 'getDocsAsset',
    summary: 'A script or stylesheet of the docs page',
    tag: 'ops',
    pathParams: z.strictObject({ file: z.string() }),
    responses: {
      200: { description: 'The asset', body: { mediaType: 'text/javascript', text: true } },
      404: E404,
      ...layers,
    },
  },
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    tag: 'ops',
    responses: {
      200: {
        description: 'The OpenAPI 3.1 document',
        body: { mediaType: 'application/json' },
        headers: RATE,
      },
      ...layers,
    },
  },
];
