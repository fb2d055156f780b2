import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis, parseRedisNode, type Redis } from '@storefront/shared';
import { startRedisSentinel, type RedisSentinelHandle } from './redis-sentinel.ts';

const logger = createLogger({ level: 'silent', service: 'test' });
const PASSWORD = 's3ntinel-test';

describe('startRedisSentinel', () => {
  let deployment: RedisSentinelHandle;
  let client: Redis;
  beforeAll(async () => {
    deployment = await startRedisSentinel({ password: PASSWORD });
    client = createRedis(
      {
        mode: 'sentinel',
        sentinels: deployment.sentinelsList.split(',').map(parseRedisNode),
        masterName: deployment.masterName,
        password: PASSWORD,
        sentinelPassword: PASSWORD,
        tls: false,
      },
      'queue',
      logger,
    );
    await once(client, 'ready');
  }, 60_000);
  afterAll(async () => {
    client?.disconnect();
    await deployment?.stop();
  });

  it('when started, then three Sentinels name the first node as primary and a client reaches it', async () => {
    expect(deployment.sentinelsList.split(',')).toHaveLength(3);
    expect(await deployment.primaryAddress()).toBe(`127.0.0.1:${deployment.dataNodes[0]!.port}`);
    expect(await client.set('k', 'v')).toBe('OK');
    expect(await client.call('WAIT', '1', '2000')).toBe(1);
  });

  it('when a client has no password, then neither the primary nor a Sentinel lets it in', async () => {
    const [primary, sentinel] = [deployment.dataNodes[0]!, deployment.sentinels[0]!];
    for (const node of [primary, sentinel]) {
      const anonymous = createRedis(`redis://${node.host}:${node.port}`, 'cache', logger, {
        enableOfflineQueue: true,
      });
      await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
      anonymous.disconnect();
    }
  });

  it('when the primary is killed, then the replica is promoted and the same client writes to it', async () => {
    await deployment.stopDataNode(0);
    const replica = `127.0.0.1:${deployment.dataNodes[1]!.port}`;
    const deadline = Date.now() + 30_000;
    while ((await deployment.primaryAddress()) !== replica && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await deployment.primaryAddress()).toBe(replica);
    // The queue role waits out the switch (offline queue, no retry limit).
    expect(await client.get('k')).toBe('v');
    expect(await client.set('k2', 'after')).toBe('OK');
  }, 60_000);

  it('when the killed primary starts again, then the Sentinels make it a synced replica of the new primary', async () => {
    await deployment.startDataNode(0);
    await deployment.waitUntilHealthy(30_000);
    const old = deployment.dataNodes[0]!;
    const direct = createRedis(`redis://:${PASSWORD}@${old.host}:${old.port}`, 'cache', logger, {
      enableOfflineQueue: true,
    });
    try {
      const info = await direct.info('replication');
      expect(info).toMatch(/role:slave/);
      expect(info).toContain(`master_port:${deployment.dataNodes[1]!.port}`);
      // Resynced from the new primary: what was written before and after the failover.
      expect(await direct.get('k2')).toBe('after');
    } finally {
      direct.disconnect();
    }
    expect(await deployment.primaryAddress()).toBe(`127.0.0.1:${deployment.dataNodes[1]!.port}`);
  }, 60_000);

  it('when stopped, then no process is left', async () => {
    const pids = [...deployment.dataNodes, ...deployment.sentinels].map((n) => n.process?.pid);
    await deployment.stop();
    for (const pid of pids.filter((p) => p !== undefined)) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
  });
});
