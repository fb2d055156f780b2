import { z } from 'zod';
import { PermanentWebhookError } from './webhook-errors.ts';

// Only the fields processing relies on are checked; Razorpay sends many more. A body that does
// not have them can never be applied, so it fails permanently.

const notes = z.union([
  z.record(z.string(), z.union([z.string(), z.number()])),
  z.array(z.unknown()),
]);

const paymentEntity = z.object({
  id: z.string().min(1),
  amount: z.number().int().nonnegative(),
  currency: z.string().min(1),
  status: z.string().min(1),
  order_id: z.string().min(1).nullish(),
  notes: notes.nullish(),
  error_code: z.string().nullish(),
  error_description: z.string().nullish(),
  error_reason: z.string().nullish(),
});

const orderEntity = z.object({
  id: z.string().min(1),
  receipt: z.string().nullish(),
  notes: notes.nullish(),
});

const eventBody = z.object({
  payload: z.object({
    payment: z.object({ entity: paymentEntity }),
    order: z.object({ entity: orderEntity }).optional(),
  }),
});

/** The payment (and, for `order.paid`, the order) an event is about. */
export interface PaymentEvent {
  payment: z.infer<typeof paymentEntity>;
  order?: z.infer<typeof orderEntity>;
}

/** Reads the payment entities out of a stored event body, or throws PermanentWebhookError. */
export function parsePaymentEvent(body: unknown): PaymentEvent {
  const parsed = eventBody.safeParse(body);
  if (!parsed.success) {
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new PermanentWebhookError(`malformed payload (${where})`);
  }
  return { payment: parsed.data.payload.payment.entity, order: parsed.data.payload.order?.entity };
}

/**
 * Our order id as carried by the gateway entities: the Razorpay order's `notes.orderId` or its
 * `receipt`, or the payment's `notes.orderId`. Used when the gateway order id is not (yet) on
 * our order.
 */
export function ourOrderIdHints(ev: PaymentEvent): string[] {
  const fromNotes = (n: z.infer<typeof notes> | null | undefined): string | undefined => {
    if (!n || Array.isArray(n)) return undefined;
    const v = n.orderId;
    return v === undefined ? undefined : String(v);
  };
  const hints = [
    fromNotes(ev.order?.notes),
    ev.order?.receipt ?? undefined,
    fromNotes(ev.payment.notes),
  ];
  return [...new Set(hints.filter((h): h is string => typeof h === 'string' && h.length > 0))];
}
