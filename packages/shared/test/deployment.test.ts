import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PRODUCTION_REQUIRED } from '../src/config/env.schema.ts';

// There is no Docker engine here, so the compose file is checked by reading it.
interface Service {
  environment?: Record<string, string>;
  healthcheck?: { test?: unknown };
  command?: string[];
  restart?: string;
}
const compose = parse(
  readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8'),
  {
    merge: true,
  },
) as { services: Record<string, Service> };

describe('docker-compose.yml', () => {
  it.each(['api', 'worker'])(
    'when reading %s, then every variable production requires is supplied',
    (name) => {
      const env = compose.services[name]?.environment ?? {};
      expect(env.NODE_ENV).toBe('production');
      const missing = PRODUCTION_REQUIRED.filter((v) => !(v in env));
      expect(missing).toEqual([]);
    },
  );

  it('when reading every service, then each has a healthcheck', () => {
    const without = Object.entries(compose.services)
      .filter(([, s]) => !s.healthcheck?.test)
      .map(([n]) => n);
    expect(without).toEqual([]);
  });

  it('when reading redis, then it keeps an AOF and never evicts keys', () => {
    const cmd = (compose.services.redis?.command ?? []).join(' ');
    expect(cmd).toContain('--appendonly yes');
    expect(cmd).toContain('--maxmemory-policy noeviction');
  });

  it('when reading api and worker, then each runs its own entry point', () => {
    expect(compose.services.api?.command?.join(' ')).toContain('apps/api/src/main.ts');
    expect(compose.services.worker?.command?.join(' ')).toContain('apps/worker/src/main.ts');
  });
});
