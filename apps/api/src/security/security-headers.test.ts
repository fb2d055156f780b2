import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers.ts';

const COMMON = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'DENY',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};
const API_CSP = "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'";

function headersFor(path: string): { set: Record<string, string>; removed: string[] } {
  const set: Record<string, string> = {};
  const removed: string[] = [];
  const res = {
    setHeader: (name: string, value: string) => {
      set[name] = value;
    },
    removeHeader: (name: string) => removed.push(name),
  };
  let nexts = 0;
  securityHeaders()({ path } as Request, res as unknown as Response, () => {
    nexts += 1;
  });
  expect(nexts).toBe(1);
  return { set, removed };
}

describe('securityHeaders', () => {
  it('when an API path is answered, then it gets the full helmet set with the API CSP', () => {
    const { set, removed } = headersFor('/api/v1/store/demo');
    expect(set).toEqual({ ...COMMON, 'Content-Security-Policy': API_CSP });
    expect(removed).toEqual(['X-Powered-By']);
  });

  it.each(['/admin/queues', '/ADMIN/Queues/', '/admin/queues/static/js/main.js'])(
    'when the board path %s is answered, then it gets the board CSP and the same other headers',
    (path) => {
      const { set } = headersFor(path);
      const { 'Content-Security-Policy': csp, ...rest } = set;
      expect(rest).toEqual(COMMON);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
    },
  );

  it('when a path only starts like the board, then it gets the API CSP', () => {
    expect(headersFor('/admin/queuesx').set['Content-Security-Policy']).toBe(API_CSP);
  });
});
