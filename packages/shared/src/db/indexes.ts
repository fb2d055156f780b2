import type { Connection, Model } from 'mongoose';
import { creatorModel } from '../creators/creator.model.ts';
import { orderModel } from '../orders/order.model.ts';
import { productModel } from '../products/product.model.ts';
import { transactionModel } from '../payments/transaction.model.ts';
import { webhookEventModel } from '../webhooks/webhook-event.model.ts';
import { webhookDlqModel } from '../dlq/webhook-dlq.model.ts';
import { deliveryModel } from '../deliveries/delivery.model.ts';

// Every model whose indexes the application relies on (unique keys are correctness, not speed).
// Add a model here when you add one.
const MODELS: Array<(conn: Connection) => Model<never>> = [
  creatorModel,
  productModel,
  orderModel,
  transactionModel,
  webhookEventModel,
  webhookDlqModel,
  deliveryModel,
] as unknown as Array<(conn: Connection) => Model<never>>;

/**
 * Creates every declared index that is missing (idempotent; existing indexes are left alone).
 * Run at process start and by `make dev`; in production it doubles as the migration step.
 */
export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const make of MODELS) {
    const model = make(conn);
    await model.createCollection().catch((err: { code?: number }) => {
      if (err.code !== 48) throw err; // NamespaceExists
    });
    await model.createIndexes();
  }
}
