#!/usr/bin/env node
// `devstack <service> [--port N] [--host H]`: runs one local stand-in in the foreground until
// SIGINT/SIGTERM. Dev and tests only.
import { parseArgs } from 'node:util';

const USAGE = `usage: devstack <redis|redis-cluster|redis-sentinel|mongo|razorpay|s3> [--port N] [--host 127.0.0.1] [--bucket NAME] [--password P]

  redis          the system redis-server on its own temp dir (noeviction, no persistence)
  redis-cluster  a Redis Cluster: 3 primaries + 3 replicas of redis-server on free ports
                 (prints the REDIS_CLUSTER_NODES value; --port is ignored)
  redis-sentinel a primary, a replica and 3 Sentinels (master name "storefront"; prints the
                 REDIS_SENTINELS value; --port is ignored). --password P: every data node and
                 Sentinel requires P (REDIS_PASSWORD and REDIS_SENTINEL_PASSWORD)
  mongo          the in-repo MongoDB-wire-compatible server (in memory)
  razorpay       the Razorpay REST API sandbox with webhook delivery
  s3             a local S3-compatible server (s3rver)`;

interface Running {
  url: string;
  stop(): Promise<void>;
}

async function start(
  service: string,
  port: number,
  host: string,
  bucket: string,
  password: string | undefined,
): Promise<Running> {
  switch (service) {
    case 'redis': {
      const { startRedisServer } = await import('./redis/redis-server.ts');
      return startRedisServer({ port, host });
    }
    case 'redis-cluster': {
      const { startRedisCluster } = await import('./redis/redis-cluster.ts');
      const cluster = await startRedisCluster({ host });
      return { url: cluster.nodesList, stop: () => cluster.stop() };
    }
    case 'redis-sentinel': {
      const { startRedisSentinel } = await import('./redis/redis-sentinel.ts');
      const sentinel = await startRedisSentinel({ host, password });
      const auth =
        password === undefined ? '' : '; REDIS_PASSWORD and REDIS_SENTINEL_PASSWORD: the password';
      return {
        url: `${sentinel.sentinelsList} (REDIS_SENTINEL_MASTER=${sentinel.masterName}${auth})`,
        stop: () => sentinel.stop(),
      };
    }
    case 'mongo': {
      const { startMongoServer } = await import('./mongo/index.ts');
      return startMongoServer({ port, host, logger: (m) => process.stderr.write(`${m}\n`) });
    }
    case 'razorpay': {
      const { startRazorpaySandbox } = await import('./razorpay/index.ts');
      return startRazorpaySandbox({ port, host });
    }
    case 's3': {
      const { startS3Server } = await import('./s3/index.ts');
      const s3 = await startS3Server({ port, host, buckets: [bucket] });
      return { url: s3.endpoint, stop: () => s3.stop() };
    }
    default:
      throw new Error(`unknown service '${service}'\n${USAGE}`);
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    bucket: { type: 'string', default: 'storefront-files' },
    password: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const service = positionals[0];
if (values.help || !service) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(service ? 0 : 64);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be an integer between 0 and 65535 (got '${values.port}')\n`);
  process.exit(64);
}
if (values.password !== undefined && (service !== 'redis-sentinel' || values.password === '')) {
  process.stderr.write(
    service === 'redis-sentinel'
      ? '--password must not be empty\n'
      : `--password applies to redis-sentinel only (got '${service}')\n`,
  );
  process.exit(64);
}

try {
  const running = await start(service, port, values.host, values.bucket, values.password);
  process.stdout.write(`${service} listening on ${running.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping ${service}: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
