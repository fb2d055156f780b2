import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildOrder, paymentView } from './sandbox-entities.ts';
import {
  SandboxHttpError,
  authError,
  faultError,
  idNotFound,
  invalidId,
  routeNotFound,
} from './sandbox-errors.ts';
import type { FaultInjector } from './sandbox-faults.ts';
import { basicCredentials, parseBody, readBody, sendJson } from './sandbox-http.ts';
import { isEntityId, preciseNow } from './sandbox-ids.ts';
import { validateCreateOrder } from './sandbox-order.validation.ts';
import type { AccountRecord, OrderRecord, SandboxState } from './sandbox-state.ts';
import type { RequestLogEntry } from './sandbox.types.ts';

/** Dependencies of the `/v1` handler. */
export interface ApiDeps {
  state: SandboxState;
  faults: FaultInjector;
  /** Aborted when the sandbox stops, to cut injected latency short. */
  stopping: AbortSignal;
}

/** Handles one Razorpay API call: log, faults, basic auth, then the REST subset. */
export async function handleApiRequest(
  deps: ApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  search: URLSearchParams,
): Promise<void> {
  const credentials = basicCredentials(req.headers.authorization);
  const entry: RequestLogEntry = {
    method: req.method ?? 'GET',
    path: pathname,
    status: 0,
    keyId: credentials?.keyId ?? null,
    at: preciseNow(),
  };
  deps.state.logRequest(entry);
  try {
    const raw = await readBody(req);
    const fault = deps.faults.take(pathname, entry.keyId);
    if (fault?.latencyMs !== undefined) {
      await sleep(fault.latencyMs, undefined, { signal: deps.stopping });
    }
    if (fault?.status !== undefined) throw faultError(fault.status, fault.retryAfter);

    if (credentials === null) {
      throw authError('Please provide your api key for authentication purposes.');
    }
    const account = deps.state.accounts.get(credentials.keyId);
    if (account === undefined) throw authError('The api key provided is invalid');
    if (account.keySecret !== credentials.secret) throw authError('Authentication failed');

    const body = route(deps.state, account, entry.method, pathname, search, () =>
      parseBody(raw, req.headers['content-type']),
    );
    entry.status = 200;
    sendJson(res, 200, body);
  } catch (err) {
    if (deps.stopping.aborted) {
      res.destroy();
      return;
    }
    const error =
      err instanceof SandboxHttpError
        ? err
        : new SandboxHttpError(500, {
            error: {
              code: 'SERVER_ERROR',
              description: err instanceof Error ? err.message : String(err),
              source: 'NA',
              step: 'NA',
              reason: 'NA',
              metadata: {},
            },
          });
    entry.status = error.status;
    sendJson(res, error.status, error.body, error.headers);
  }
}

function route(
  state: SandboxState,
  account: AccountRecord,
  method: string,
  pathname: string,
  search: URLSearchParams,
  body: () => unknown,
): unknown {
  // ['', 'v1', resource, id?, sub?]
  const [, , resource, id, sub, ...rest] = pathname.split('/');
  if (rest.length > 0) throw routeNotFound();
  if (resource === 'orders') {
    if (id === undefined || id === '') {
      if (method !== 'POST') throw routeNotFound();
      const input = validateCreateOrder(body());
      const order = buildOrder(input);
      state.orders.set(order.id, {
        order,
        keyId: account.keyId,
        partialPayment: input.partialPayment,
        paymentIds: [],
      });
      return order;
    }
    if (method !== 'GET') throw routeNotFound();
    const record = ownOrder(state, account, id);
    if (sub === undefined) return record.order;
    if (sub !== 'payments') throw routeNotFound();
    const withCard = expandsCard(search);
    const items = record.paymentIds.flatMap((paymentId) => {
      const payment = state.payments.get(paymentId)?.payment;
      return payment === undefined ? [] : [paymentView(payment, withCard)];
    });
    return { entity: 'collection', count: items.length, items };
  }
  if (resource === 'payments' && id !== undefined && sub === undefined && method === 'GET') {
    if (!isEntityId(id, 'pay')) throw invalidId(id);
    const record = state.payments.get(id);
    if (record === undefined || record.keyId !== account.keyId) throw idNotFound();
    return paymentView(record.payment, expandsCard(search));
  }
  throw routeNotFound();
}

// Another account's order answers exactly like a missing one.
function ownOrder(state: SandboxState, account: AccountRecord, id: string): OrderRecord {
  if (!isEntityId(id, 'order')) throw invalidId(id);
  const record = state.orders.get(id);
  if (record === undefined || record.keyId !== account.keyId) throw idNotFound();
  return record;
}

function expandsCard(search: URLSearchParams): boolean {
  for (const [key, value] of search) {
    if (key.startsWith('expand') && value === 'card') return true;
  }
  return false;
}
