import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RazorpayWebhookEvent } from '@storefront/shared';

/** One webhook as the receiver got it: raw bytes, headers and arrival time. */
export interface ReceivedWebhook {
  raw: Buffer;
  headers: http.IncomingHttpHeaders;
  eventId: string;
  signature: string | undefined;
  event: string;
  body: RazorpayWebhookEvent;
  status: number;
}

/** A local webhook endpoint on port 0 that records every delivery and answers `respond(n)`. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status to answer for the n-th request (0-based); 200 by default. */
  respond: (n: number, raw: Buffer) => number | 'hang';
  /** Resolves once `count` requests arrived (whatever the answer), or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** Starts a {@link WebhookReceiver}; with `tls` (PEM cert and key) it serves https://. */
export async function startWebhookReceiver(
  opts: { tls?: { cert: string; key: string } } = {},
): Promise<WebhookReceiver> {
  const events = new EventEmitter();
  const hanging = new Set<http.ServerResponse>();
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    respond: () => 200,
    async waitFor(count, timeoutMs = 5_000) {
      const signal = AbortSignal.timeout(timeoutMs);
      while (receiver.received.length < count) {
        try {
          await once(events, 'request', { signal });
        } catch {
          throw new Error(`expected ${count} webhooks, got ${receiver.received.length}`);
        }
      }
      return receiver.received.slice(0, count);
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const answer = receiver.respond(receiver.received.length, raw);
      const body = JSON.parse(raw.toString('utf8')) as RazorpayWebhookEvent;
      receiver.received.push({
        raw,
        headers: req.headers,
        eventId: String(req.headers['x-razorpay-event-id']),
        signature: req.headers['x-razorpay-signature'] as string | undefined,
        event: String(body.event),
        body,
        status: answer === 'hang' ? 0 : answer,
      });
      if (answer === 'hang') hanging.add(res);
      else res.writeHead(answer).end();
      events.emit('request');
    });
  };
  const server = opts.tls ? https.createServer(opts.tls, onRequest) : http.createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scheme = opts.tls ? 'https' : 'http';
  receiver.url = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/razorpay`;
  return receiver;
}
