import { Router } from 'express';
import type { Queue } from 'bullmq';
import {
  discardDlqEntry,
  getDlqEntry,
  listDlqEntries,
  replayDlqEntries,
  replayDlqEntry,
  type Logger,
  type WebhookJobData,
} from '@storefront/shared';
import type { Connection } from 'mongoose';
import { bulkReplayBody, discardBody, dlqIdParams, listDlqQuery } from './dlq.schemas.ts';

/**
 * The operators' DLQ API (mounted under `/api/v1/admin/dlq`, behind admin auth): list and read
 * entries, replay one or many with a fresh retry budget, discard one with a reason.
 */
export function dlqRouter(deps: {
  mongo: Connection;
  webhooks: Queue<WebhookJobData>;
  logger: Logger;
}): Router {
  const router = Router();
  const actor = (locals: Record<string, unknown>): string =>
    typeof locals.adminUser === 'string' ? locals.adminUser : 'admin';

  router.get('/', async (req, res) => {
    const q = listDlqQuery.parse(req.query);
    const page = await listDlqEntries(
      deps.mongo,
      { status: q.status, eventType: q.event_type },
      { page: q.page, limit: q.limit },
    );
    res.set('Cache-Control', 'no-store').json(page);
  });

  router.post('/replay', async (req, res) => {
    const body = bulkReplayBody.parse(req.body ?? {});
    const count = await replayDlqEntries(
      deps,
      { status: body.status, eventType: body.event_type },
      { limit: body.limit, actor: actor(res.locals) },
    );
    res.status(202).json({ count });
  });

  router.get('/:id', async (req, res) => {
    const { id } = dlqIdParams.parse(req.params);
    res.set('Cache-Control', 'no-store').json(await getDlqEntry(deps.mongo, id));
  });

  router.post('/:id/replay', async (req, res) => {
    const { id } = dlqIdParams.parse(req.params);
    const entry = await replayDlqEntry(deps, id, { actor: actor(res.locals) });
    res.status(202).json({ id: entry._id, status: entry.status, retry_count: entry.retry_count });
  });

  router.post('/:id/discard', async (req, res) => {
    const { id } = dlqIdParams.parse(req.params);
    const { reason } = discardBody.parse(req.body ?? {});
    const entry = await discardDlqEntry(deps, id, { reason, actor: actor(res.locals) });
    res.json({ id: entry._id, status: entry.status, discard_reason: entry.discard_reason });
  });

  return router;
}
