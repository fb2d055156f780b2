import {
  AppError,
  BadGatewayError,
  ConflictError,
  FieldDecryptionError,
  GatewayTimeoutError,
  NotFoundError,
  RazorpayError,
  type Config,
  type CreatorRepository,
  type Logger,
  type Order,
  type OrderRepository,
  type ProductRepository,
  type RazorpayClient,
  type RazorpayCredentials,
  type RazorpayCredentialStore,
  type TransactionRepository,
} from '@storefront/shared';
import { newOrderAccessToken } from '../orders/order-token.ts';
import { normalizeUsername } from '../storefront/store-response.ts';
import type { CheckoutMetrics } from './checkout.metrics.ts';
import type { CheckoutInput } from './checkout.schemas.ts';
import type { CheckoutBody } from '../openapi/response.schemas.ts';

/** The 201 answer: our order, its access token, and what Razorpay's checkout needs. */
export type CheckoutResult = CheckoutBody;

export interface CheckoutDeps {
  config: Pick<Config, 'PUBLIC_BASE_URL'>;
  credentials: RazorpayCredentialStore;
  transactions: TransactionRepository;
  logger: Logger;
  metrics: CheckoutMetrics;
  creators: CreatorRepository;
  products: ProductRepository;
  orders: OrderRepository;
  /** A Razorpay client for one account's keys. */
  razorpayFor: (creds: RazorpayCredentials) => RazorpayClient;
}

/**
 * Starts a purchase: our order first (so every gateway order has one of ours), then the Razorpay
 * order with the account that will receive the money, then `created → pending`. If Razorpay
 * fails, our order becomes `failed` with the reason; nothing is left half-done except after a
 * crash between the two writes, which leaves a `created` order that reconciliation expires.
 */
export class CheckoutService {
  private readonly deps: CheckoutDeps;

  constructor(deps: CheckoutDeps) {
    this.deps = deps;
  }

  async checkout(
    username: string,
    productId: string,
    input: CheckoutInput,
  ): Promise<CheckoutResult> {
    const { deps } = this;
    const name = normalizeUsername(username);
    // Both reads at once: under a drop's load every sequential MongoDB round trip of a checkout
    // also waits out a turn of a busy event loop.
    const [creator, product] =
      name === undefined
        ? [null, null]
        : await Promise.all([
            deps.creators.findPublicByUsername(name),
            deps.products.findActiveById(productId),
          ]);
    if (!creator || !product || !product.creatorId.equals(creator._id)) {
      deps.metrics.count('not_found');
      throw new NotFoundError('Product not found');
    }
    const creds = await this.credentials(String(creator._id));

    const buyer = { email: input.email, ...(input.contact ? { contact: input.contact } : {}) };
    const { token, hash } = newOrderAccessToken();
    const order = await deps.orders.create({
      creatorId: creator._id,
      productId: product._id,
      productTitle: product.title,
      amount: product.price,
      currency: 'INR',
      buyer,
      gatewayAccount: creds.account,
      accessTokenHash: hash,
    });
    const orderId = String(order._id);

    const stopTimer = deps.metrics.timeGateway();
    let gatewayOrderId: string;
    try {
      const gatewayOrder = await deps.razorpayFor(creds).orders.create({
        amount: order.amount,
        currency: order.currency,
        receipt: orderId,
        notes: { orderId, creatorId: String(creator._id), productId: String(product._id) },
      });
      stopTimer({ outcome: 'created' });
      gatewayOrderId = gatewayOrder.id;
    } catch (err) {
      stopTimer({ outcome: err instanceof RazorpayError ? err.kind : 'error' });
      throw await this.failOrder(order, err);
    }

    const pending = await deps.orders.transition(order._id, 'pending', { gatewayOrderId });
    await this.log(order, {
      outcome: pending ? 'gateway_order_created' : 'gateway_order_orphaned',
      gatewayOrderId,
    });
    if (!pending) {
      // Only reconciliation moves a `created` order, and only after it went stale.
      deps.metrics.count('error');
      throw new ConflictError('The order changed while it was being created; please try again');
    }
    deps.metrics.count('created');
    return {
      orderId,
      accessToken: token,
      razorpay: {
        keyId: creds.keyId,
        orderId: gatewayOrderId,
        amount: order.amount,
        currency: order.currency,
        name: creator.displayName,
        description: product.title,
        prefill: buyer,
      },
      statusUrl: `${deps.config.PUBLIC_BASE_URL}/api/v1/orders/${orderId}`,
    };
  }

  private async credentials(creatorId: string): Promise<RazorpayCredentials> {
    try {
      return await this.deps.credentials.resolve(creatorId);
    } catch (err) {
      if (!(err instanceof FieldDecryptionError)) throw err;
      // Fail closed: never call Razorpay with whatever a broken ciphertext would give.
      this.deps.logger.error('creator razorpay credentials cannot be decrypted', {
        alert: true,
        creatorId,
        err,
      });
      this.deps.metrics.count('error');
      throw new AppError(
        'PAYMENT_ACCOUNT_UNAVAILABLE',
        503,
        "The creator's payment account cannot be used right now",
      );
    }
  }

  /** Marks the order failed with the gateway's reason and returns the error to answer with. */
  private async failOrder(order: Order, err: unknown): Promise<Error> {
    const rz = err instanceof RazorpayError ? err : undefined;
    const timeout = rz?.kind === 'timeout';
    const lastPaymentError = {
      code: rz?.code ?? (timeout ? 'GATEWAY_TIMEOUT' : 'GATEWAY_ERROR'),
      description: rz?.description ?? 'Payment gateway request failed',
      ...(rz?.reason ? { reason: rz.reason } : {}),
    };
    try {
      await this.deps.orders.transition(order._id, 'failed', { lastPaymentError });
    } catch (writeErr) {
      this.deps.logger.error('could not mark order failed after gateway error', {
        orderId: String(order._id),
        err: writeErr,
      });
    }
    await this.log(order, { outcome: 'gateway_error', error: rz?.message ?? String(err) });
    if (!rz) {
      this.deps.metrics.count('error');
      return err instanceof Error ? err : new Error(String(err));
    }
    this.deps.logger.warn('razorpay order creation failed', {
      orderId: String(order._id),
      kind: rz.kind,
      statusCode: rz.statusCode,
      code: rz.code,
    });
    if (timeout) {
      this.deps.metrics.count('gateway_timeout');
      return new GatewayTimeoutError(
        'The payment gateway did not answer in time; please try again',
        rz,
      );
    }
    this.deps.metrics.count('gateway_error');
    return new BadGatewayError(
      'The payment gateway could not create the order',
      {
        gateway: {
          ...(rz.statusCode === undefined ? {} : { statusCode: rz.statusCode }),
          code: rz.code ?? null,
          description: rz.description,
          reason: rz.reason ?? null,
          ...(rz.retryAfterSeconds === undefined
            ? {}
            : { retryAfterSeconds: rz.retryAfterSeconds }),
        },
      },
      rz,
    );
  }

  // The transactions log is an audit trail: losing an entry must not fail the buyer's request.
  private async log(
    order: Order,
    entry: { outcome: string; gatewayOrderId?: string; error?: string },
  ): Promise<void> {
    try {
      await this.deps.transactions.record({
        orderId: order._id,
        source: 'checkout',
        event: 'orders.create',
        amount: order.amount,
        ...entry,
      });
    } catch (err) {
      this.deps.logger.error('could not record checkout transaction', {
        orderId: String(order._id),
        err,
      });
    }
  }
}
