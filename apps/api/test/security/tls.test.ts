import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecureApi, type SecureApi } from './secure-api.ts';

function handshake(
  url: string,
  ca: string,
  opts: { minVersion?: tls.SecureVersion; maxVersion?: tls.SecureVersion },
): Promise<{ ok: true; protocol: string | null } | { ok: false; error: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: hostname,
      port: Number(port),
      ca,
      servername: 'localhost',
      ...opts,
    });
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol();
      socket.end();
      resolve({ ok: true, protocol });
    });
    socket.once('error', (err: Error) => resolve({ ok: false, error: err.message }));
  });
}

describe('TLS', () => {
  let s: SecureApi;
  beforeAll(async () => {
    s = await startSecureApi();
  });
  afterAll(async () => {
    await s.close();
  });

  it('when TLS_CERT_FILE and TLS_KEY_FILE are set, then the API serves HTTPS', async () => {
    expect(s.url.startsWith('https://')).toBe(true);
    const res = await s.call('/healthz');
    expect(res.status).toBe(200);
  });

  it('when a client offers TLS 1.3, then the handshake succeeds with TLS 1.3', async () => {
    const r = await handshake(s.url, s.ca, { minVersion: 'TLSv1.3' });
    expect(r).toEqual({ ok: true, protocol: 'TLSv1.3' });
  });

  it('when a client offers at most TLS 1.2, then the handshake is refused', async () => {
    const r = await handshake(s.url, s.ca, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(r.ok).toBe(false);
  });

  it('when a client offers at most TLS 1.1, then the handshake is refused', async () => {
    const r = await handshake(s.url, s.ca, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
    expect(r.ok).toBe(false);
  });

  it('when served over HTTPS, then HSTS asks for a year including subdomains', async () => {
    const res = await s.call('/healthz');
    const hsts = String(res.headers['strict-transport-security']);
    const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(31_536_000);
    expect(hsts).toContain('includeSubDomains');
  });
});
