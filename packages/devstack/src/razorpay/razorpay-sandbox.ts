import { setMaxListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isCheckoutPath } from './checkout/checkout-paths.ts';
import { handleCheckoutRequest } from './checkout/checkout.routes.ts';
import { SandboxCheckout } from './checkout/checkout.service.ts';
import { handleApiRequest } from './sandbox-api.routes.ts';
import { handleControlRequest } from './sandbox-control.routes.ts';
import { orderView, paymentView } from './sandbox-entities.ts';
import { routeNotFound } from './sandbox-errors.ts';
import { FaultInjector, WebhookDropper } from './sandbox-faults.ts';
import { sendJson } from './sandbox-http.ts';
import { SandboxPayments } from './sandbox-payments.service.ts';
import { SandboxState } from './sandbox-state.ts';
import type { RazorpaySandbox, SandboxOptions } from './sandbox.types.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';

/**
 * Starts an in-memory stand-in for the Razorpay API (orders, payments, basic auth, error shapes)
 * that also simulates payments and delivers signed webhooks. Dev and tests only.
 */
export async function startRazorpaySandbox(options: SandboxOptions = {}): Promise<RazorpaySandbox> {
  const state = new SandboxState(options.maxLoggedRequests ?? 200_000);
  const faults = new FaultInjector();
  const dropper = new WebhookDropper();
  const stopping = new AbortController();
  // Injected latency sleeps on this signal, one listener per delayed call.
  setMaxListeners(0, stopping.signal);
  const dispatcher = new WebhookDispatcher(
    {
      retries: options.webhookRetries ?? 3,
      retryDelayMs: options.retryDelayMs ?? 200,
      timeoutMs: options.webhookTimeoutMs ?? 5_000,
    },
    dropper,
    (record) => state.logDelivery(record),
    options.webhookCa,
  );
  const payments = new SandboxPayments(state, dispatcher);
  const checkout = new SandboxCheckout(state, payments, options.checkoutDeliver);
  for (const account of options.accounts ?? []) state.addAccount(account);

  const server = http.createServer();
  const host = options.host ?? '127.0.0.1';
  let stopped: Promise<void> | undefined;

  const sandbox: RazorpaySandbox = {
    url: '',
    port: 0,
    stop: () => (stopped ??= stop()),
    addAccount: (account) => void state.addAccount(account),
    pay: (orderId, payOptions) => payments.pay(orderId, payOptions),
    capture: (paymentId, captureOptions) => payments.capture(paymentId, captureOptions),
    getOrder: (orderId) => {
      const order = state.orders.get(orderId)?.order;
      return order === undefined ? undefined : orderView(order);
    },
    getPayment: (paymentId) => {
      const payment = state.payments.get(paymentId)?.payment;
      return payment === undefined ? undefined : paymentView(payment, true);
    },
    injectFault: (fault) => void faults.add(fault),
    clearFaults: () => faults.clear(),
    dropWebhooks: (spec) => dropper.add(spec),
    clearWebhookDrops: () => dropper.clear(),
    requests: (filter) => state.requests(filter),
    clearRequests: () => state.clearRequests(),
    deliveries: (filter) => state.deliveries(filter),
    clearDeliveries: () => state.clearDeliveries(),
    idle: () => dispatcher.idle(),
    reset: (resetOptions) => {
      state.reset(resetOptions);
      faults.clear();
      dropper.clear();
    },
  };

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    // The browser's side of Standard Checkout: before /v1 (no auth, log or faults for it).
    if (isCheckoutPath(url.pathname)) {
      handleCheckoutRequest(checkout, req, res, url.pathname, url.searchParams).catch(() =>
        res.destroy(),
      );
      return;
    }
    const work = url.pathname.startsWith('/v1/')
      ? handleApiRequest(
          { state, faults, stopping: stopping.signal },
          req,
          res,
          url.pathname,
          url.searchParams,
        )
      : url.pathname.startsWith('/_sandbox/')
        ? handleControlRequest(sandbox, faults, req, res, url.pathname, url.searchParams)
        : Promise.resolve(sendJson(res, 404, routeNotFound().body));
    work.catch(() => res.destroy());
  });

  async function stop(): Promise<void> {
    stopping.abort();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await Promise.all([closed, dispatcher.stop()]);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  sandbox.port = port;
  sandbox.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return sandbox;
}
