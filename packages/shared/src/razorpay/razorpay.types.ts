// Shapes of the Razorpay entities we read. Razorpay sends more fields than these; only what our
// code relies on is typed, everything else stays reachable through the index signature.

/**
 * Razorpay serialises empty notes as `[]` (a PHP artefact) and non-empty notes as an object.
 */
export type RazorpayNotes = Record<string, string | number> | [];

/** Order statuses: `created` → `attempted` (a payment was tried) → `paid` (a payment captured). */
export type RazorpayOrderStatus = 'created' | 'attempted' | 'paid';

/** Payment statuses as Razorpay reports them. */
export type RazorpayPaymentStatus = 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';

/** Webhook events this project consumes. */
export type RazorpayWebhookEventName =
  'payment.authorized' | 'payment.captured' | 'payment.failed' | 'order.paid';

/** Razorpay order entity (`GET /v1/orders/:id`). Amounts are integers in paise. */
export interface RazorpayOrder {
  id: string;
  entity: 'order';
  amount: number;
  amount_paid: number;
  amount_due: number;
  currency: string;
  receipt: string | null;
  offer_id: string | null;
  status: RazorpayOrderStatus;
  attempts: number;
  notes: RazorpayNotes;
  created_at: number;
  [field: string]: unknown;
}

/** Razorpay payment entity (`GET /v1/payments/:id`). Card details are never kept by us. */
export interface RazorpayPayment {
  id: string;
  entity: 'payment';
  amount: number;
  currency: string;
  status: RazorpayPaymentStatus;
  order_id: string | null;
  method: string;
  captured: boolean;
  amount_refunded: number;
  refund_status: string | null;
  description: string | null;
  email: string | null;
  contact: string | null;
  notes: RazorpayNotes;
  fee: number | null;
  tax: number | null;
  error_code: string | null;
  error_description: string | null;
  error_source: string | null;
  error_step: string | null;
  error_reason: string | null;
  created_at: number;
  [field: string]: unknown;
}

/** A list answer such as `GET /v1/orders/:id/payments`. */
export interface RazorpayCollection<T> {
  entity: 'collection';
  count: number;
  items: T[];
}

/** Body of a Razorpay webhook; the event id travels in the `X-Razorpay-Event-Id` header only. */
export interface RazorpayWebhookEvent {
  entity: 'event';
  account_id: string;
  event: RazorpayWebhookEventName | (string & {});
  contains: string[];
  payload: {
    payment?: { entity: RazorpayPayment };
    order?: { entity: RazorpayOrder };
    [entity: string]: { entity: Record<string, unknown> } | undefined;
  };
  created_at: number;
}

/** Parameters of `POST /v1/orders`. */
export interface RazorpayCreateOrderParams {
  amount: number;
  currency: string;
  receipt?: string;
  notes?: Record<string, string | number>;
  partial_payment?: boolean;
}

/** Error body Razorpay returns with every non-2xx answer. */
export interface RazorpayErrorBody {
  error: {
    code: string;
    description: string;
    source?: string;
    step?: string;
    reason?: string;
    metadata?: Record<string, unknown>;
    field?: string;
  };
}
