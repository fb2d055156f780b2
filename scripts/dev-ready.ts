// Readiness polling for `make dev`: GET /readyz over HTTP or HTTPS until it answers 200, the
// deadline passes, or the caller aborts (Ctrl-C during start-up).
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitReadyOptions {
  timeoutMs: number;
  /** Aborts the wait, including a request in flight; the returned promise rejects with its reason. */
  signal: AbortSignal;
  /** A PEM certificate to trust for https:// besides Node's default CAs (the self-signed dev cert). */
  trust?: string;
}

/** Resolves once `url` answers 200; rejects after `timeoutMs` or when `signal` aborts. */
export async function waitReady(url: string, opts: WaitReadyOptions): Promise<void> {
  const target = new URL(url);
  // `ca` replaces the default list, so keep the defaults and add the dev certificate to them.
  const ca =
    opts.trust === undefined ? undefined : [...tls.getCACertificates('default'), opts.trust];
  const deadline = Date.now() + opts.timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    opts.signal.throwIfAborted();
    const answer = await get(target, ca, opts.signal);
    if (answer === 200) return;
    last = typeof answer === 'number' ? `answered ${answer}` : answer;
    await sleep(250, undefined, { signal: opts.signal });
  }
  throw new Error(`${url} not ready after ${opts.timeoutMs} ms (last: ${last})`);
}

/** The status of one GET, or why there was none (refused, a TLS error, aborted). */
function get(url: URL, ca: string[] | undefined, signal: AbortSignal): Promise<number | string> {
  return new Promise((resolve) => {
    const options = { signal, agent: false as const, timeout: 2_000 };
    const req =
      url.protocol === 'https:'
        ? https.get(url, { ...options, ...(ca === undefined ? {} : { ca }) })
        : http.get(url, options);
    req.once('response', (res) => {
      res.on('error', () => undefined);
      res.resume();
      resolve(res.statusCode ?? 'no status');
    });
    req.once('timeout', () => req.destroy(new Error('no answer within 2 s')));
    req.on('error', (err) => resolve(err.message));
  });
}
