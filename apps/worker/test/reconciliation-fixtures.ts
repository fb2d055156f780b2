// Shared set-up of the reconciliation tests: a dependency graph over this run's MongoDB, Redis and
// Razorpay sandbox, a sandbox account of the test's own (so injected faults and the request log
// concern this test only), and helpers to make orders in any state and age.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Types, type Connection } from 'mongoose';
import { afterEach, inject } from 'vitest';
import { testConfig, uniqueName } from '@storefront/devstack/test-harness';
import {
  createCacheRedis,
  createLogger,
  createMetricsRegistry,
  createMongoConnection,
  createFieldCipher,
  createProducers,
  createRepositories,
  createQueueRedis,
  creatorModel,
  encryptRazorpaySecrets,
  createRazorpayClient,
  deliveryJobId,
  enqueueDelivery,
  ensureIndexes,
  orderModel,
  PaymentOutcomes,
  RazorpayCredentialStore,
  transactionModel,
  type Config,
  type Order,
  type OrderStatus,
  type Producers,
  type RazorpayClient,
  type Transaction,
  redisTargetFromConfig,
} from '@storefront/shared';
import {
  metricValue as valueIn,
  newRazorpayKeyId,
  type LabelMatch,
} from '@storefront/test-support';
import type { ReconciliationDeps } from '../src/reconciliation/reconciliation.deps.ts';
import { createRazorpayClients } from '../src/reconciliation/razorpay-clients.ts';

/** One "process": its own connections, over the same database, Redis prefixes and account. */
export interface ReconciliationProcess {
  deps: ReconciliationDeps;
  mongo: Connection;
  producers: Producers;
  close(): Promise<void>;
}

/** Value of `name` in the process's registry whose labels include `labels` (0 when absent). */
export async function metricValue(
  proc: ReconciliationProcess,
  name: string,
  labels: LabelMatch = '',
): Promise<number> {
  return valueIn(await proc.deps.metrics.metrics(), name, labels);
}

/** Config overrides every reconciliation test starts from (fast, no minimum age). */
export const FAST: Record<string, string> = {
  RECONCILE_MIN_AGE_MS: '0',
  RECONCILE_ORDER_EXPIRY_MS: '600000',
  RAZORPAY_MAX_CALLS_PER_SECOND: '500',
  RAZORPAY_BACKOFF_BASE_MS: '100',
  RAZORPAY_BACKOFF_MAX_MS: '5000',
  RECONCILE_LOCK_TTL_MS: '5000',
};

/** A test's world: config, sandbox account, order factory and sandbox controls. */
export class ReconciliationWorld {
  readonly config: Config;
  readonly razorpayUrl: string;
  readonly keyId: string;
  private readonly processes: ReconciliationProcess[] = [];
  private conn: Connection | undefined;
  private gateway: RazorpayClient;
  private readonly creatorGateways = new Map<string, RazorpayClient>();
  private readonly creatorKeyIds = new Map<string, string>();

  constructor(overrides: Record<string, string | undefined> = {}) {
    const name = uniqueName('recon');
    this.keyId = newRazorpayKeyId();
    this.razorpayUrl = inject('razorpayUrl');
    this.config = testConfig(
      {
        ...FAST,
        RAZORPAY_KEY_ID: this.keyId,
        RAZORPAY_KEY_SECRET: 'recon-secret',
        ...overrides,
      },
      name,
    );
    this.gateway = createRazorpayClient({
      keyId: this.keyId,
      keySecret: 'recon-secret',
      baseUrl: this.razorpayUrl,
    });
  }

  /** Registers the account in the sandbox and opens the first process. */
  async start(): Promise<ReconciliationProcess> {
    await this.control('POST', '/_sandbox/accounts', {
      keyId: this.keyId,
      keySecret: 'recon-secret',
    });
    const first = await this.process();
    this.conn = first.mongo;
    await ensureIndexes(this.conn);
    return first;
  }

  /** Opens another process (own MongoDB and Redis connections, same prefixes). */
  async process(): Promise<ReconciliationProcess> {
    const config = this.config;
    const logger = createLogger({ level: 'silent', service: 'test' });
    const metrics = createMetricsRegistry();
    const mongo = await createMongoConnection({ url: config.MONGO_URL, poolSize: 10, logger });
    const redis = createCacheRedis(redisTargetFromConfig(config), logger, {
      keyPrefix: config.REDIS_KEY_PREFIX,
    });
    const queueRedis = createQueueRedis(redisTargetFromConfig(config), logger);
    const producers = createProducers(queueRedis, config.QUEUE_PREFIX);
    // The fail-fast connection has no offline queue: wait until it can take commands.
    if (redis.status !== 'ready') await once(redis, 'ready');
    const repos = createRepositories(mongo);
    const credentials = new RazorpayCredentialStore({
      accounts: repos.razorpayAccounts,
      config,
      cipher: createFieldCipher(config),
    });
    const proc: ReconciliationProcess = {
      mongo,
      deps: {
        config,
        logger,
        metrics,
        orders: repos.orders,
        transactions: repos.transactions,
        redis,
        payments: new PaymentOutcomes({
          orders: repos.orders,
          transactions: repos.transactions,
          logger,
          deliver: (order) => enqueueDelivery(producers.deliveries, String(order._id)),
        }),
        razorpay: createRazorpayClients(config, credentials),
      },
      producers,
      close: async () => {
        await producers.close();
        await Promise.allSettled([redis.quit(), queueRedis.quit()]);
        await mongo.close();
      },
    };
    this.processes.push(proc);
    return proc;
  }

  get mongo(): Connection {
    if (!this.conn) throw new Error('start() first');
    return this.conn;
  }

  /** Closes every process and drops the test database. */
  async close(): Promise<void> {
    await this.conn?.dropDatabase().catch(() => undefined);
    for (const p of this.processes.reverse()) await p.close();
  }

  /**
   * A creator with a Razorpay account of their own: registered in the sandbox and stored on the
   * creator encrypted, as connecting an account does. Returns the creator id (the gateway account).
   */
  async creatorAccount(): Promise<string> {
    const creatorId = new Types.ObjectId();
    const now = new Date();
    await creatorModel(this.mongo).collection.insertOne({
      _id: creatorId,
      username: `creator${randomBytes(4).toString('hex')}`,
      email: `${randomBytes(4).toString('hex')}@example.com`,
      passwordHash: 'unused',
      displayName: 'Creator',
      createdAt: now,
      updatedAt: now,
    });
    await this.connectCreatorKeys(String(creatorId), newRazorpayKeyId());
    return String(creatorId);
  }

  /**
   * The creator regenerates their key secret: the sandbox accepts only the new one from now on,
   * and the creator's stored credentials hold it (as reconnecting through the API stores them).
   * Processes that cached the old ones are not told.
   */
  async rotateCreatorSecret(creatorId: string): Promise<void> {
    const keyId = this.creatorKeyIds.get(creatorId);
    if (!keyId) throw new Error(`no sandbox account for ${creatorId}`);
    await this.connectCreatorKeys(creatorId, keyId);
  }

  /** A new secret for `keyId`: registered in the sandbox and stored on the creator encrypted. */
  private async connectCreatorKeys(creatorId: string, keyId: string): Promise<void> {
    const keySecret = randomBytes(12).toString('hex');
    const webhookSecret = randomBytes(12).toString('hex');
    await this.control('POST', '/_sandbox/accounts', { keyId, keySecret });
    await creatorModel(this.mongo).collection.updateOne(
      { _id: new Types.ObjectId(creatorId) },
      {
        $set: {
          razorpay: {
            keyId,
            ...encryptRazorpaySecrets(createFieldCipher(this.config), creatorId, {
              keySecret,
              webhookSecret,
            }),
            connectedAt: new Date(),
          },
        },
      },
    );
    this.creatorKeyIds.set(creatorId, keyId);
    this.creatorGateways.set(
      creatorId,
      createRazorpayClient({ keyId, keySecret, baseUrl: this.razorpayUrl }),
    );
  }

  /** A Razorpay order on the sandbox for `amount` paise, in `account` (default: the platform's). */
  async gatewayOrder(amount = 49_900, account = 'platform'): Promise<string> {
    const gateway = account === 'platform' ? this.gateway : this.creatorGateways.get(account);
    if (!gateway) throw new Error(`no sandbox account for ${account}`);
    const order = await gateway.orders.create({ amount, currency: 'INR' });
    return order.id;
  }

  /** A payment attempt on a gateway order whose webhook never arrives. */
  async pay(
    gatewayOrderId: string,
    status: 'captured' | 'authorized' | 'failed',
  ): Promise<{ payment: { id: string; amount: number } }> {
    return (await this.control('POST', `/_sandbox/orders/${gatewayOrderId}/pay`, {
      status,
      deliver: { drop: true },
    })) as { payment: { id: string; amount: number } };
  }

  /** Makes our order; with `gateway`, a sandbox order too. `ageMs` backdates createdAt. */
  async order(
    opts: {
      status?: OrderStatus;
      ageMs?: number;
      gateway?: boolean;
      amount?: number;
      /** Gateway account: `platform` (default) or a creator id from creatorAccount(). */
      account?: string;
    } = {},
  ): Promise<Order & { gatewayOrderId?: string }> {
    const amount = opts.amount ?? 49_900;
    const account = opts.account ?? 'platform';
    const gatewayOrderId =
      opts.gateway === false ? undefined : await this.gatewayOrder(amount, account);
    const doc = await orderModel(this.mongo).create({
      creatorId: new Types.ObjectId(),
      productId: new Types.ObjectId(),
      productTitle: 'Preset pack',
      amount,
      currency: 'INR',
      status: opts.status ?? 'pending',
      buyer: { email: 'buyer@example.com' },
      gatewayAccount: account,
      ...(gatewayOrderId ? { gatewayOrderId } : {}),
      accessTokenHash: randomBytes(32).toString('hex'),
    });
    if (opts.ageMs !== undefined) await this.backdate(doc._id, opts.ageMs);
    return (await orderModel(this.mongo).findById(doc._id).lean<Order>().exec()) as Order;
  }

  /**
   * `count` pending orders whose captured payment's webhook was lost, inserted in one raw write
   * (createdAt `ageMs(i)` in the past); sandbox calls go ten at a time.
   */
  async paidButUnnotified(count: number, ageMs: (i: number) => number): Promise<Types.ObjectId[]> {
    const gatewayIds: string[] = [];
    for (let start = 0; start < count; start += 10) {
      const chunk = await Promise.all(
        Array.from({ length: Math.min(10, count - start) }, async () => {
          const id = await this.gatewayOrder();
          await this.pay(id, 'captured');
          return id;
        }),
      );
      gatewayIds.push(...chunk);
    }
    const now = Date.now();
    const docs = gatewayIds.map((gatewayOrderId, i) => ({
      _id: new Types.ObjectId(),
      creatorId: new Types.ObjectId(),
      productId: new Types.ObjectId(),
      productTitle: 'Preset pack',
      amount: 49_900,
      currency: 'INR',
      status: 'pending',
      buyer: { email: 'buyer@example.com' },
      gatewayAccount: 'platform',
      gatewayOrderId,
      accessTokenHash: randomBytes(32).toString('hex'),
      createdAt: new Date(now - ageMs(i)),
      updatedAt: new Date(now),
    }));
    await orderModel(this.mongo).collection.insertMany(docs);
    return docs.map((d) => d._id);
  }

  /** Sets createdAt `ageMs` in the past (raw update: mongoose timestamps would overwrite it). */
  async backdate(id: Types.ObjectId, ageMs: number): Promise<void> {
    await orderModel(this.mongo).collection.updateOne(
      { _id: id },
      { $set: { createdAt: new Date(Date.now() - ageMs) } },
    );
  }

  async find(id: Types.ObjectId): Promise<Order> {
    return (await orderModel(this.mongo).findById(id).lean<Order>().exec()) as Order;
  }

  async transactions(orderId: Types.ObjectId): Promise<Transaction[]> {
    return transactionModel(this.mongo)
      .find({ orderId })
      .sort({ _id: 1 })
      .lean<Transaction[]>()
      .exec();
  }

  /** Delivery jobs queued for `orderId` (0 or 1: the job id is per order). */
  async deliveryJobs(producers: Producers, orderId: Types.ObjectId): Promise<number> {
    const job = await producers.deliveries.getJob(deliveryJobId(String(orderId)));
    return job ? 1 : 0;
  }

  /** Arms sandbox faults for this test's account only. */
  async fault(spec: { status?: number; count?: number; retryAfter?: number; latencyMs?: number }) {
    await this.control('POST', '/_sandbox/faults', { ...spec, keyIds: [this.keyId] });
  }

  /** This account's calls to the payments list, as the sandbox saw them (arrival ms). */
  async paymentCalls(): Promise<Array<{ at: number; status: number; path: string }>> {
    const { items } = (await this.control(
      'GET',
      `/_sandbox/requests?keyId=${encodeURIComponent(this.keyId)}`,
    )) as { items: Array<{ at: number; status: number; path: string; method: string }> };
    return items
      .filter((r) => r.method === 'GET' && r.path.endsWith('/payments'))
      .sort((a, b) => a.at - b.at);
  }

  async control(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.razorpayUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer: unknown = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  }
}

/**
 * For a test file: returns `setup(overrides)`, which starts a world (config `defaults` then
 * `overrides`) and its worker-side process; every world started is closed after each test.
 */
export function reconciliationSetup(
  defaults: Record<string, string | undefined> = {},
): (
  overrides?: Record<string, string | undefined>,
) => Promise<[ReconciliationWorld, ReconciliationProcess]> {
  const worlds: ReconciliationWorld[] = [];
  afterEach(async () => {
    for (const w of worlds.splice(0)) await w.close();
  });
  return async (overrides = {}) => {
    const world = new ReconciliationWorld({ ...defaults, ...overrides });
    worlds.push(world);
    return [world, await world.start()];
  };
}
