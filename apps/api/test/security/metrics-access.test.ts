import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, startSecureApi, type SecureApi } from './secure-api.ts';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('/metrics exposure', () => {
  let s: SecureApi;
  beforeAll(async () => {
    s = await startSecureApi({ METRICS_TOKEN: TOKEN, TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await s.close();
  });

  it('when Prometheus scrapes directly from an internal address, then metrics are served', async () => {
    const res = await s.call('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_request_duration_seconds');
  });

  it('when the request came through a proxy (forwarding headers), then it is refused with 403 JSON', async () => {
    const variants: Array<Record<string, string>> = [
      { 'X-Forwarded-For': '203.0.113.9' },
      { Forwarded: 'for=203.0.113.9' },
      { 'X-Real-IP': '203.0.113.9' },
    ];
    for (const headers of variants) {
      const res = await s.call('/metrics', { headers });
      expect(res.status).toBe(403);
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(res.text).not.toContain('http_request_duration_seconds');
    }
  });

  it('when a wrong bearer token is sent, then it is refused even from an internal address', async () => {
    const res = await s.call('/metrics', {
      headers: { Authorization: 'Bearer wrong-token-wrong-token' },
    });
    expect(res.status).toBe(403);
  });

  it('when METRICS_TOKEN is presented, then metrics are served through a proxy too', async () => {
    const res = await s.call('/metrics', {
      headers: { Authorization: `Bearer ${TOKEN}`, 'X-Forwarded-For': '203.0.113.9' },
    });
    expect(res.status).toBe(200);
  });

  it('when the path is spelled differently, then the same check applies', async () => {
    for (const path of ['/METRICS', '/metrics/', '/Metrics?x=1']) {
      const res = await s.call(path, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
      expect(res.status, path).toBe(403);
    }
  });
});
