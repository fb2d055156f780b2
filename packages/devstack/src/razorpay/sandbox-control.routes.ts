import type { IncomingMessage, ServerResponse } from 'node:http';
import { SandboxHttpError, controlError } from './sandbox-errors.ts';
import type { FaultInjector } from './sandbox-faults.ts';
import { parseBody, readBody, sendJson } from './sandbox-http.ts';
import type { LogFilter, PayOptions, RazorpaySandbox, SandboxAccount } from './sandbox.types.ts';

/**
 * Handles `/_sandbox/*`: the HTTP twins of the sandbox's in-process control methods. No auth;
 * dev and test only.
 */
export async function handleControlRequest(
  sandbox: RazorpaySandbox,
  faults: FaultInjector,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  search: URLSearchParams,
): Promise<void> {
  try {
    const raw = await readBody(req);
    const body = (): Record<string, unknown> => {
      const parsed = parseBody(raw, req.headers['content-type']);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw controlError('body must be a JSON object');
      }
      return parsed as Record<string, unknown>;
    };
    const [status, answer] = await route(
      sandbox,
      faults,
      req.method ?? 'GET',
      pathname,
      search,
      body,
    );
    sendJson(res, status, answer);
  } catch (err) {
    const error = err instanceof SandboxHttpError ? err : controlError(String(err), 500);
    sendJson(res, error.status, error.body, error.headers);
  }
}

async function route(
  sandbox: RazorpaySandbox,
  faults: FaultInjector,
  method: string,
  pathname: string,
  search: URLSearchParams,
  body: () => Record<string, unknown>,
): Promise<[number, unknown]> {
  // ['', '_sandbox', resource, id?, action?]
  const [, , resource, id, action] = pathname.split('/');
  // `POST orders/:id/pay`, `POST webhooks/drop`, `GET faults`: fixed paths match literally.
  const path =
    action !== undefined
      ? `${resource}/:id/${action}`
      : id !== undefined
        ? `${resource}/${id}`
        : resource;
  const key = `${method} ${path ?? ''}`;
  switch (key) {
    case 'GET health':
      return [200, { ok: true }];
    case 'POST accounts':
      sandbox.addAccount(body() as unknown as SandboxAccount);
      return [201, { ok: true }];
    case 'POST orders/:id/pay':
      return [200, await sandbox.pay(id ?? '', body() as unknown as PayOptions)];
    case 'POST payments/:id/capture':
      return [200, await sandbox.capture(id ?? '', body())];
    case 'GET faults':
      return [200, { faults: faults.list() }];
    case 'POST faults':
      sandbox.injectFault(body());
      return [201, { faults: faults.list() }];
    case 'DELETE faults':
      sandbox.clearFaults();
      return [200, { ok: true }];
    case 'POST webhooks/drop':
      sandbox.dropWebhooks(body());
      return [201, { ok: true }];
    case 'DELETE webhooks/drop':
      sandbox.clearWebhookDrops();
      return [200, { ok: true }];
    case 'GET requests':
      return [200, { items: sandbox.requests(logFilter(search)) }];
    case 'DELETE requests':
      sandbox.clearRequests();
      return [200, { ok: true }];
    case 'GET deliveries':
      return [200, { items: sandbox.deliveries(logFilter(search)) }];
    case 'DELETE deliveries':
      sandbox.clearDeliveries();
      return [200, { ok: true }];
    case 'POST reset':
      sandbox.reset({ accounts: body().accounts === true });
      return [200, { ok: true }];
    default:
      if (resource === 'orders' && id !== undefined && action === undefined && method === 'GET') {
        const order = sandbox.getOrder(id);
        if (order === undefined) throw controlError(`order ${id} does not exist`, 404);
        return [200, order];
      }
      if (resource === 'payments' && id !== undefined && action === undefined && method === 'GET') {
        const payment = sandbox.getPayment(id);
        if (payment === undefined) throw controlError(`payment ${id} does not exist`, 404);
        return [200, payment];
      }
      throw controlError(`no control endpoint ${method} ${pathname}`, 404);
  }
}

function logFilter(search: URLSearchParams): LogFilter {
  const filter: LogFilter = {};
  const keyId = search.get('keyId');
  const orderId = search.get('orderId');
  const since = search.get('since');
  if (keyId !== null) filter.keyId = keyId;
  if (orderId !== null) filter.orderId = orderId;
  if (since !== null && Number.isFinite(Number(since))) filter.since = Number(since);
  return filter;
}
