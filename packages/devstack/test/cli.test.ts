import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, createRedis, parseRedisNode } from '@storefront/shared';

const CLI = 'packages/devstack/src/cli.ts';
const logger = createLogger({ level: 'silent', service: 'test' });

describe('devstack CLI', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    child = undefined;
  });

  it('when redis-sentinel is started with --password, then a client with it writes to the primary, a Sentinel refuses a client without it, and SIGTERM stops it with exit 0', async () => {
    const password = 'cli-sentinel-pw';
    const proc = spawn(process.execPath, [CLI, 'redis-sentinel', '--password', password], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = proc;
    const lines = createInterface({ input: proc.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    const match = /^redis-sentinel listening on (\S+) \(REDIS_SENTINEL_MASTER=(\w+);/.exec(line);
    expect(match, line).not.toBeNull();
    const [, sentinels = '', masterName = ''] = match ?? [];

    const client = createRedis(
      {
        mode: 'sentinel',
        sentinels: sentinels.split(',').map(parseRedisNode),
        masterName,
        password,
        sentinelPassword: password,
        tls: false,
      },
      'queue',
      logger,
    );
    try {
      expect(await client.set('cli', 'ok')).toBe('OK');
      expect(await client.get('cli')).toBe('ok');
    } finally {
      client.disconnect();
    }
    const anonymous = createRedis(`redis://${sentinels.split(',')[0]}`, 'cache', logger, {
      enableOfflineQueue: true,
    });
    try {
      await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
    } finally {
      anonymous.disconnect();
    }

    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  }, 60_000);

  it('when --password is given to a service without one, or empty, then it exits 64 and says why', () => {
    const other = spawnSync(process.execPath, [CLI, 'redis', '--password', 'x'], {
      encoding: 'utf8',
    });
    expect(other.status).toBe(64);
    expect(other.stderr).toMatch(/--password applies to redis-sentinel only/);
    const empty = spawnSync(process.execPath, [CLI, 'redis-sentinel', '--password', ''], {
      encoding: 'utf8',
    });
    expect(empty.status).toBe(64);
    expect(empty.stderr).toMatch(/--password must not be empty/);
  });
});
