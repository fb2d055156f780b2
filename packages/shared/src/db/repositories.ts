import type { Connection } from 'mongoose';
import { SAME_TICK, type BatchOptions } from './batcher.ts';
import { CreatorRepository } from '../creators/creator.repository.ts';
import { DeliveryRepository } from '../deliveries/delivery.repository.ts';
import { WebhookDlqRepository } from '../dlq/webhook-dlq.repository.ts';
import { OrderRepository } from '../orders/order.repository.ts';
import { TransactionRepository } from '../payments/transaction.repository.ts';
import { ProductRepository } from '../products/product.repository.ts';
import { RazorpayAccountRepository } from '../razorpay-accounts/razorpay-account.repository.ts';
import { WebhookEventRepository } from '../webhooks/webhook-event.repository.ts';

/** One repository per collection, built once per process by its composition root. */
export interface Repositories {
  creators: CreatorRepository;
  razorpayAccounts: RazorpayAccountRepository;
  products: ProductRepository;
  orders: OrderRepository;
  transactions: TransactionRepository;
  webhookEvents: WebhookEventRepository;
  dlq: WebhookDlqRepository;
  deliveries: DeliveryRepository;
}

/**
 * Every repository over `conn`. `batch`: how the money path's concurrent calls share commands
 * (the worker waits a little for company; request handlers batch only within a tick).
 */
export function createRepositories(
  conn: Connection,
  batch: BatchOptions = SAME_TICK,
): Repositories {
  return {
    creators: new CreatorRepository(conn, batch),
    razorpayAccounts: new RazorpayAccountRepository(conn),
    products: new ProductRepository(conn, batch),
    orders: new OrderRepository(conn, batch),
    transactions: new TransactionRepository(conn, batch),
    webhookEvents: new WebhookEventRepository(conn, batch),
    dlq: new WebhookDlqRepository(conn),
    deliveries: new DeliveryRepository(conn, batch),
  };
}
