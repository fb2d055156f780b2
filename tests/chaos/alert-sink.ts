import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One alert as the worker POSTs it to ALERT_WEBHOOK_URL. */
export interface ReceivedAlert {
  alert?: string;
  message?: string;
  details?: { eventId?: string; eventType?: string; permanent?: boolean; retryCount?: number };
}

/** Collects the alerts the workers send, as an alert webhook (e.g. Slack) would receive them. */
export interface AlertSink {
  url: string;
  alerts(): ReceivedAlert[];
  stop(): Promise<void>;
}

export async function startAlertSink(): Promise<AlertSink> {
  const received: ReceivedAlert[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedAlert);
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    alerts: () => [...received],
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
