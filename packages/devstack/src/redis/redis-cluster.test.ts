import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisClusterHandle } from './redis-cluster.ts';

function cli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-c', '-p', String(port), ...args], {
    encoding: 'utf8',
  }).trim();
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startRedisCluster', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('when started, then 3 primaries and 3 replicas serve all 16384 slots', () => {
    const first = cluster.nodes[0]!.port;
    expect(cli(first, 'CLUSTER', 'INFO')).toMatch(/cluster_state:ok[\s\S]*cluster_size:3/);
    const roles = cluster.nodes.map((n) => cli(n.port, 'ROLE').split('\n')[0]);
    expect(roles.filter((r) => r === 'master')).toHaveLength(3);
    expect(roles.filter((r) => r === 'slave')).toHaveLength(3);
    expect(cluster.nodesList.split(',')).toHaveLength(6);
  });

  it('when a primary is killed, then its replica takes over, the data stays, and the node rejoins on restart', async () => {
    // 'a' hashes to slot 15495. SET then WAIT on one connection: the replica has the write.
    const before = await cluster.primaryForSlot(15495);
    const reply = execFileSync('redis-cli', ['-p', String(cluster.nodes[before]!.port)], {
      input: 'SET a kept\nWAIT 1 2000\n',
      encoding: 'utf8',
    });
    expect(reply.trim().split('\n')).toEqual(['OK', '1']);
    await cluster.stopNode(before);
    // Until the others mark it failed (cluster-node-timeout), they still name the dead node.
    let after = before;
    const deadline = Date.now() + 20_000;
    while (after === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = await cluster.primaryForSlot(15495).catch(() => before);
    }
    expect(after).not.toBe(before);
    await cluster.waitUntilHealthy(20_000);
    expect(cli(cluster.nodes[after]!.port, 'GET', 'a')).toBe('kept');

    await cluster.startNode(before);
    await cluster.waitUntilHealthy(20_000);
    expect(cli(cluster.nodes[before]!.port, 'ROLE').split('\n')[0]).toBe('slave');
  }, 60_000);

  it('when stopped, then every node process is gone, and stopping again is harmless', async () => {
    const extra = await startRedisCluster({ primaries: 3, replicasPerPrimary: 0 });
    const pids = extra.nodes.map((n) => n.process?.pid);
    expect(pids.every(alive)).toBe(true);
    await extra.stop();
    await extra.stop();
    expect(pids.some(alive)).toBe(false);
  }, 60_000);

  it('when forming fails, then the nodes already started are stopped', async () => {
    // A loopback address of its own, so the check sees only this cluster's processes.
    const host = '127.0.0.3';
    const mine = () =>
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.startsWith('redis-server') && line.includes(`${host}:`));
    const saved = process.env.REDIS_CLI_BIN;
    process.env.REDIS_CLI_BIN = '/bin/false';
    try {
      await expect(startRedisCluster({ host, replicasPerPrimary: 0 })).rejects.toThrow(
        /--cluster create failed/,
      );
    } finally {
      if (saved === undefined) delete process.env.REDIS_CLI_BIN;
      else process.env.REDIS_CLI_BIN = saved;
    }
    expect(mine()).toEqual([]);
  }, 60_000);
});
