import { ADMIN_OPERATIONS } from './admin.operations.ts';
import { ME_OPERATIONS } from './me.operations.ts';
import type { OperationSpec } from './operation.ts';
import { PUBLIC_OPERATIONS } from './public.operations.ts';

// Every route the API serves, by audience. Request parts are the schemas the routes parse with;
// responses are the shapes in response.schemas.ts.

/** The document's tags, in order, with what each groups. */
export const TAGS: Record<string, string> = {
  auth: 'Creator sign-up and sign-in',
  storefront: 'The public storefront JSON (cached, ETag)',
  checkout: 'Buying a product through Razorpay Checkout',
  orders: 'The buyer’s order status and Checkout callback (order access token)',
  webhooks: 'Razorpay webhooks, verified by signature and deduplicated by event id',
  images: 'Public image variants',
  pages: 'The buyer’s HTML pages and their assets',
  ops: 'Health, readiness, metrics and this document',
  me: 'The signed-in creator’s profile and products',
  uploads: 'Product files, cover images and avatars (raw request bodies)',
  razorpay: 'The creator’s own Razorpay account',
  admin: 'The operators’ webhook DLQ API',
};

/** Every operation the API serves, in document order. */
export const OPERATIONS: readonly OperationSpec[] = [
  ...PUBLIC_OPERATIONS,
  ...ME_OPERATIONS,
  ...ADMIN_OPERATIONS,
];
