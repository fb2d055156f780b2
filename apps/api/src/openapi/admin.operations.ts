import { bulkReplayBody, discardBody, dlqIdParams, listDlqQuery } from '../admin/dlq.schemas.ts';
import type { OperationSpec } from './operation.ts';
import { E404, E409, creatorCommon, ok } from './responses.ts';
import * as r from './response.schemas.ts';

const dlqId = dlqIdParams;
/** The operators' DLQ API (admin Basic auth). */
export const ADMIN_OPERATIONS: OperationSpec[] = [
  {
    method: 'get',
    path: '/api/v1/admin/dlq',
    operationId: 'listDlq',
    summary: 'List DLQ entries',
    tag: 'admin',
    security: ['admin'],
    query: listDlqQuery,
    responses: { 200: ok('A page of entries', r.dlqPageResponse), ...creatorCommon },
  },
  {
    method: 'post',
    path: '/api/v1/admin/dlq/replay',
    operationId: 'replayDlq',
    summary: 'Replay matching entries',
    tag: 'admin',
    security: ['admin'],
    body: { schema: bulkReplayBody, required: false },
    responses: { 202: ok('How many were queued', r.dlqCountResponse), ...creatorCommon },
  },
  {
    method: 'get',
    path: '/api/v1/admin/dlq/{id}',
    operationId: 'getDlqEntry',
    summary: 'One DLQ entry with its payload',
    tag: 'admin',
    security: ['admin'],
    pathParams: dlqId,
    responses: { 200: ok('The entry', r.dlqEntryResponse), 404: E404, ...creatorCommon },
  },
  {
    method: 'post',
    path: '/api/v1/admin/dlq/{id}/replay',
    operationId: 'replayDlqEntry',
    summary: 'Replay one entry',
    tag: 'admin',
    security: ['admin'],
    pathParams: dlqId,
    responses: {
      202: ok('Queued again', r.dlqReplayResponse),
      404: E404,
      409: E409,
      ...creatorCommon,
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/dlq/{id}/discard',
    operationId: 'discardDlqEntry',
    summary: 'Discard one entry',
    tag: 'admin',
    security: ['admin'],
    pathParams: dlqId,
    body: { schema: discardBody, example: { reason: 'refunded by hand' } },
    responses: {
      200: ok('Discarded', r.dlqDiscardResponse),
      404: E404,
      409: E409,
      ...creatorCommon,
    },
  },
];
