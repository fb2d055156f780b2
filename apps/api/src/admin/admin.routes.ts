import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import { Router, type Express } from 'express';
import { QUEUES, type DlqService, type Producers, type Redis } from '@storefront/shared';
import type { ApiDeps } from '../deps.ts';
import { adminAuth } from './admin-auth.middleware.ts';
import { dlqRouter } from './dlq.routes.ts';

/** Where Bull Board is served. */
export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Operator endpoints, all behind HTTP Basic admin credentials: Bull Board at `/admin/queues`
 * and the DLQ API at `/api/v1/admin/dlq`. Mount at the root: `app.use(adminRouter(deps))`.
 */
export function adminRouter(
  deps: Pick<ApiDeps, 'config' | 'logger' | 'onClose'> & {
    producers: Producers;
    producerRedis: Redis;
    dlq: DlqService;
  },
): Router {
  const logger = deps.logger.child({ module: 'admin' });
  const prefix = deps.config.QUEUE_PREFIX;
  // The API's producer queues share one fail-fast connection: an operator request must not hang
  // on Redis.
  const { webhooks, deliveries, orderChecks } = deps.producers;
  const connection = deps.producerRedis;
  // The queues only admin shows, on the same connection; errors are surfaced per request.
  const extra = [QUEUES.reconciliation, QUEUES.maintenance].map(
    (name) => new Queue(name, { connection, prefix }),
  );
  for (const q of extra) q.on('error', () => undefined);
  deps.onClose(async () => {
    await Promise.allSettled(extra.map((q) => q.close()));
  });

  const board = new ExpressAdapter();
  board.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: [
      // Retrying a dead webhook job here would find its inbox event dead and do nothing; dead
      // events are replayed through the DLQ API, which resets the retry budget.
      new BullMQAdapter(webhooks, {
        allowRetries: false,
        description: 'Dead events: replay via /api/v1/admin/dlq',
      }),
      ...[deliveries, orderChecks, ...extra].map((q) => new BullMQAdapter(q)),
    ],
    // @bull-board/express pins its own patch version of @bull-board/api; the adapter contract is
    // the same, the nominal types differ.
    serverAdapter: board as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'Storefront queues' } },
  });

  const auth = adminAuth({
    username: deps.config.ADMIN_USERNAME,
    password: deps.config.ADMIN_PASSWORD,
    logger,
  });
  // The adapter serves from an Express application of its own, whose default X-Powered-By the
  // main app's setting does not reach.
  const boardApp = board.getRouter() as Express;
  boardApp.disable('x-powered-by');
  const router = Router();
  router.use(BULL_BOARD_PATH, auth, boardApp);
  router.use('/api/v1/admin/dlq', auth, dlqRouter({ dlq: deps.dlq }));
  return router;
}
