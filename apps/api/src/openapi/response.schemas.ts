import { z } from 'zod';
import { DLQ_STATUSES, ORDER_STATUSES, PRODUCT_STATUSES } from '@storefront/shared';

// The shapes the API answers with, as JSON on the wire (dates are ISO strings). The OpenAPI
// document (openapi-document.ts) is generated from these and from the request schemas the routes
// parse with; `RESPONSE_SCHEMAS` names them under `components.schemas`.

// Format only: dates leave as `Date#toISOString()`, and a pattern would only bloat the document.
const dateTime = z.string().meta({ format: 'date-time' });

/** The one error envelope every 4xx/5xx carries. */
export const errorResponse = z.strictObject({
  error: z.strictObject({
    code: z.string().meta({ examples: ['VALIDATION_FAILED'] }),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

/** An image as pages and API clients get it: everything `<picture>`/`<img>` need. */
export const publicImage = z.strictObject({
  width: z.int().meta({
    description: 'Intrinsic width of the largest variant (the page’s width attribute)',
  }),
  height: z.int().meta({ description: 'Intrinsic height of the largest variant' }),
  sources: z
    .array(z.strictObject({ type: z.string(), srcset: z.string() }))
    .meta({ description: 'One srcset per format, best first' }),
  src: z.string().meta({ description: 'A fallback URL (a mid-size WebP) for `<img src>`' }),
});

const link = z.strictObject({ label: z.string(), url: z.string() });

export const creatorResponse = z.strictObject({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  displayName: z.string(),
  bio: z.string(),
  avatarUrl: z.string().nullable(),
  avatar: publicImage.nullable(),
  links: z.array(link),
  createdAt: dateTime,
  updatedAt: dateTime,
});

export const productFile = z.strictObject({
  name: z.string(),
  contentType: z.string(),
  size: z.int(),
  uploadedAt: dateTime,
});

export const productResponse = z.strictObject({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  price: z.int().meta({ description: 'Paise' }),
  currency: z.string(),
  status: z.enum(PRODUCT_STATUSES),
  position: z.int(),
  coverImageUrl: z.string().nullable(),
  image: publicImage.nullable(),
  file: productFile.nullable(),
  createdAt: dateTime,
  updatedAt: dateTime,
});

export const sessionResponse = z.strictObject({ token: z.string(), creator: creatorResponse });

export const productListResponse = z.strictObject({ products: z.array(productResponse) });

export const fileUploadResponse = z.strictObject({ file: productFile });
export const coverImageResponse = z.strictObject({ image: publicImage.nullable() });
export const avatarResponse = z.strictObject({ avatar: publicImage.nullable() });

export const storefrontResponse = z.strictObject({
  creator: z.strictObject({
    username: z.string(),
    displayName: z.string(),
    bio: z.string(),
    avatarUrl: z.string().nullable(),
    avatar: publicImage.nullable(),
    links: z.array(link),
  }),
  products: z.array(
    z.strictObject({
      id: z.string(),
      title: z.string(),
      description: z.string(),
      price: z.int(),
      currency: z.literal('INR'),
      coverImageUrl: z.string().nullable(),
      image: publicImage.nullable(),
    }),
  ),
});

export const checkoutResponse = z.strictObject({
  orderId: z.string(),
  accessToken: z.string(),
  razorpay: z.strictObject({
    keyId: z.string(),
    orderId: z.string(),
    amount: z.int(),
    currency: z.string(),
    name: z.string(),
    description: z.string(),
    prefill: z.strictObject({ email: z.string(), contact: z.string().optional() }),
  }),
  statusUrl: z.string(),
});

export const orderStatusResponse = z.strictObject({
  id: z.string(),
  status: z.enum(ORDER_STATUSES),
  amount: z.int(),
  currency: z.string(),
  productTitle: z.string(),
  createdAt: dateTime,
  paidAt: dateTime.nullable(),
  lastPaymentError: z
    .strictObject({ code: z.string().nullable(), description: z.string().nullable() })
    .nullable(),
  download: z
    .strictObject({ url: z.string(), expiresAt: dateTime })
    .nullable()
    .meta({ description: 'A fresh short-lived link, once the file was delivered' }),
});

export const razorpayAccountResponse = z.strictObject({
  connected: z.boolean(),
  keyId: z
    .string()
    .nullable()
    .meta({ examples: ['rzp_test_****abcd'] }),
  connectedAt: dateTime.nullable(),
  webhookUrl: z
    .string()
    .meta({ description: 'Where to point the account’s webhook in the Razorpay dashboard' }),
});

export const webhookAckResponse = z.strictObject({ status: z.enum(['accepted', 'duplicate']) });

/** A DLQ entry as listed (without the stored payload). */
export const dlqListItemResponse = z.strictObject({
  _id: z.string().meta({ description: 'The event id (the inbox `_id`)' }),
  event_id: z.string(),
  account: z.string(),
  event_type: z.string(),
  retry_count: z.int().meta({ description: 'Retries already made (5 when exhausted)' }),
  next_retry_at: dateTime.nullable().meta({ description: 'When the next retry runs (pending)' }),
  error_message: z.string(),
  status: z.enum(DLQ_STATUSES),
  permanent: z.boolean().meta({ description: 'Whether the last failure can never apply' }),
  created_at: dateTime,
  updated_at: dateTime,
  dead_at: dateTime.optional(),
  replay_count: z.int(),
  replayed_at: dateTime.optional(),
  discarded_at: dateTime.optional(),
  discard_reason: z.string().optional(),
});

/** One DLQ entry with the stored webhook payload. */
export const dlqEntryResponse = dlqListItemResponse.extend({
  webhook_payload: z.record(z.string(), z.unknown()),
});

export const dlqPageResponse = z.strictObject({
  items: z.array(dlqListItemResponse),
  page: z.int(),
  limit: z.int(),
  total: z.int(),
});

export const dlqCountResponse = z.strictObject({ count: z.int() });
export const dlqReplayResponse = z.strictObject({
  id: z.string(),
  status: z.enum(DLQ_STATUSES),
  retry_count: z.int(),
});
export const dlqDiscardResponse = z.strictObject({
  id: z.string(),
  status: z.enum(DLQ_STATUSES),
  discard_reason: z.string().optional(),
});

export const healthResponse = z.strictObject({ status: z.literal('ok') });
export const readinessResponse = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.strictObject({ mongo: z.boolean(), redis: z.boolean(), shuttingDown: z.boolean() }),
});

// The types of the bodies, for the code that builds them: a field a schema lacks fails `tsc`.
export type PublicImageBody = z.output<typeof publicImage>;
export type CreatorBody = z.output<typeof creatorResponse>;
export type ProductFileBody = z.output<typeof productFile>;
export type ProductBody = z.output<typeof productResponse>;
export type SessionBody = z.output<typeof sessionResponse>;
export type StorefrontBody = z.output<typeof storefrontResponse>;
export type CheckoutBody = z.output<typeof checkoutResponse>;
export type OrderStatusBody = z.output<typeof orderStatusResponse>;
export type RazorpayAccountBody = z.output<typeof razorpayAccountResponse>;
export type FileUploadBody = z.output<typeof fileUploadResponse>;
export type CoverImageBody = z.output<typeof coverImageResponse>;
export type AvatarBody = z.output<typeof avatarResponse>;
export type WebhookAckBody = z.output<typeof webhookAckResponse>;
export type ErrorBody = z.output<typeof errorResponse>;
export type HealthBody = z.output<typeof healthResponse>;
export type ReadinessBody = z.output<typeof readinessResponse>;
export type DlqCountBody = z.output<typeof dlqCountResponse>;
export type DlqListItemBody = z.output<typeof dlqListItemResponse>;
export type DlqEntryBody = z.output<typeof dlqEntryResponse>;
export type DlqPageBody = z.output<typeof dlqPageResponse>;
export type DlqReplayBody = z.output<typeof dlqReplayResponse>;
export type DlqDiscardBody = z.output<typeof dlqDiscardResponse>;

/** The response schemas by their name in the document's `components.schemas`. */
export const RESPONSE_SCHEMAS: Record<string, z.ZodType> = {
  Error: errorResponse,
  PublicImage: publicImage,
  Creator: creatorResponse,
  ProductFile: productFile,
  Product: productResponse,
  Session: sessionResponse,
  ProductList: productListResponse,
  FileUpload: fileUploadResponse,
  CoverImage: coverImageResponse,
  Avatar: avatarResponse,
  Storefront: storefrontResponse,
  Checkout: checkoutResponse,
  OrderStatus: orderStatusResponse,
  RazorpayAccount: razorpayAccountResponse,
  WebhookAck: webhookAckResponse,
  DlqListItem: dlqListItemResponse,
  DlqEntry: dlqEntryResponse,
  DlqPage: dlqPageResponse,
  DlqCount: dlqCountResponse,
  DlqReplay: dlqReplayResponse,
  DlqDiscard: dlqDiscardResponse,
  Health: healthResponse,
  Readiness: readinessResponse,
};
