// A worker as production runs it, alone (a WorkerWorld: the test feeds it through its own
// connections, as the API would) or with an API over the same config (a Stack: the whole
// payment path over HTTP and the Razorpay sandbox).
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Connection } from 'mongoose';
import { inject } from 'vitest';
import type { RunningApi } from '@storefront/api';
import { testConfig, uniqueName } from '@storefront/devstack/test-harness';
import {
  createLogger,
  createMongoConnection,
  createProducerRedis,
  createProducers,
  createS3Client,
  type Config,
  type Producers,
  type Redis,
  redisTargetFromConfig,
} from '@storefront/shared';
import { startWorker, type RunningWorker } from '@storefront/worker';
import {
  checkout,
  createCreatorWithProduct,
  newRazorpayKeys,
  registerSandboxAccount,
  webhookUrl,
  type CheckoutResponse,
  type RazorpayKeys,
  type SeededCreator,
} from './payments.ts';
import { startCheckedApi } from './api-harness.ts';

/** One API and one worker over the same config (separate graphs, separate connections). */
export interface Stack {
  config: Config;
  api: RunningApi;
  worker: RunningWorker;
  close(): Promise<void>;
}

/** Starts an API and a worker on a fresh database and queue prefix. */
export async function startStack(
  overrides: Record<string, string | undefined> = {},
): Promise<Stack> {
  const config = testConfig(
    {
      RATE_LIMIT_PUBLIC_PER_MIN: '1000000',
      RATE_LIMIT_WEBHOOK_PER_MIN: '1000000',
      WEBHOOK_SWEEP_INTERVAL_MS: '250',
      ...overrides,
    },
    uniqueName('pay'),
  );
  const api = await startCheckedApi(config);
  const worker = await startWorker(config);
  return {
    config,
    api,
    worker,
    close: async () => {
      await Promise.allSettled([api.close(), worker.close()]);
    },
  };
}

/** A creator with their own Razorpay account (registered in the sandbox, webhooks to our API). */
export async function sellingCreator(
  stack: Pick<Stack, 'api' | 'config'>,
  opts: { uploadFile?: Buffer; price?: number } = {},
): Promise<SeededCreator & { keys: RazorpayKeys }> {
  const keys = newRazorpayKeys();
  const seeded = await createCreatorWithProduct(stack.api.deps.mongo, {
    config: stack.config,
    razorpay: keys,
    ...(opts.price ? { price: opts.price } : {}),
  });
  await registerSandboxAccount(inject('razorpayUrl'), {
    ...keys,
    webhookUrl: webhookUrl(stack.api.url, seeded.creator.id),
  });
  if (opts.uploadFile && seeded.product.fileKey) {
    const s3 = createS3Client(stack.config);
    await s3.send(
      new PutObjectCommand({
        Bucket: stack.config.S3_BUCKET,
        Key: seeded.product.fileKey,
        Body: opts.uploadFile,
        ContentType: 'application/pdf',
      }),
    );
    s3.destroy();
  }
  return { ...seeded, keys };
}

/** Checks out the creator's product over HTTP; throws unless 201. */
export async function buy(apiUrl: string, seeded: SeededCreator): Promise<CheckoutResponse> {
  const res = await checkout(apiUrl, seeded.creator.username, seeded.product.id);
  if (res.status !== 201)
    throw new Error(`checkout failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A worker as production runs it, plus the test's own connections to feed and inspect it. */
export interface WorkerWorld {
  config: Config;
  worker: RunningWorker;
  /** The test's own MongoDB connection (not the worker's). */
  mongo: Connection;
  /** Producers over the test's own Redis connection, as the API has them. */
  producers: Producers;
  close(): Promise<void>;
}

/** Starts a worker on a fresh database and queue prefix with `overrides`. */
export async function startWorkerWorld(
  overrides: Record<string, string | undefined> = {},
): Promise<WorkerWorld> {
  const config = testConfig(overrides, uniqueName('wk'));
  const worker = await startWorker(config);
  const logger = createLogger({ level: 'silent', service: 'test' });
  const mongo = await createMongoConnection({ url: config.MONGO_URL, poolSize: 5, logger });
  const redis: Redis = createProducerRedis(redisTargetFromConfig(config), logger);
  const producers = createProducers(redis, config.QUEUE_PREFIX);
  return {
    config,
    worker,
    mongo,
    producers,
    close: async () => {
      await worker.close();
      await producers.close();
      await redis.quit();
      await mongo.close();
    },
  };
}
