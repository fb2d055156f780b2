import { Router } from 'express';
import type { DlqService } from '@storefront/shared';
import type { DlqCountBody, DlqPageBody } from '../openapi/response.schemas.ts';
import { bulkReplayBody, discardBody, dlqIdParams, listDlqQuery } from './dlq.schemas.ts';
import { dlqDiscardView, dlqEntryView, dlqListItemView, dlqReplayView } from './dlq.views.ts';

/**
 * The operators' DLQ API (mounted under `/api/v1/admin/dlq`, behind admin auth): list and read
 * entries, replay one or many with a fresh retry budget, discard one with a reason.
 */
export function dlqRouter(deps: { dlq: DlqService }): Router {
  const { dlq } = deps;
  const router = Router();
  const actor = (locals: Record<string, unknown>): string =>
    typeof locals.adminUser === 'string' ? locals.adminUser : 'admin';

  router.get('/', async (req, res) => {
    const q = listDlqQuery.parse(req.query);
    const page = await dlq.list(
      { status: q.status, eventType: q.event_type },
      { page: q.page, limit: q.limit },
    );
    const body: DlqPageBody = { ...page, items: page.items.map(dlqListItemView) };
    res.set('Cache-Control', 'no-store').json(body);
  });

  router.post('/replay', async (req, res) => {
    const body = bulkReplayBody.parse(req.body ?? {});
    const count = await dlq.replayMany(
      { status: body.status, eventType: body.event_type },
      { limit: body.limit, actor: actor(res.locals) },
    );
    res.status(202).json({ count } satisfies DlqCountBody);
  });

  router.get('/:id', async (req, res) => {
    const { id } = dlqIdParams.parse(req.params);
    res.set('Cache-Control', 'no-store').json(dlqEntryView(await dlq.get(id)));
  });

  router.post('/:id/replay', async (req, res) => {
    const { id } = dlqIdParams.parse(req.params);
    const entry = await dlq.replay(id, { actor: actor(res.locals) });
    res.status(202).json(dlqReplayView(entry));
  });

  router.post('/:id/discard', async (req, res) => {
    const { id } = dlqIdParams.parse(req.params);
    const { reason } = discardBody.parse(req.body ?? {});
    const entry = await dlq.discard(id, { reason, actor: actor(res.locals) });
    res.json(dlqDiscardView(entry));
  });

  return router;
}
