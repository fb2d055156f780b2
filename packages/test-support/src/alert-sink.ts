import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running alert sink: point ALERT_WEBHOOK_URL at `url`; bodies arrive in `received`. */
export interface AlertSink {
  url: string;
  /** Every JSON body POSTed so far, in arrival order (`{ unparsable: true }` for anything else). */
  received: Array<Record<string, unknown>>;
  close: () => Promise<void>;
}

/** A local HTTP server standing in for ALERT_WEBHOOK_URL; records every JSON body POSTed to it. */
export async function startAlertSink(): Promise<AlertSink> {
  const received: Array<Record<string, unknown>> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        received.push(
          JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        );
      } catch {
        received.push({ unparsable: true });
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
