/**
 * The combinations of Redis variables that cannot describe one deployment, each named. Checked on
 * the raw environment (empty strings already dropped): whether a variable was set matters here,
 * and REDIS_URL has a development default.
 */
export function redisConfigProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const set = (name: string) => env[name] !== undefined;
  const cluster = set('REDIS_CLUSTER_NODES');
  const sentinel = set('REDIS_SENTINELS');
  if (cluster && sentinel) {
    problems.push('REDIS_CLUSTER_NODES: cannot be set together with REDIS_SENTINELS; choose one');
  }
  if (set('REDIS_URL') && (cluster || sentinel)) {
    problems.push(
      `REDIS_URL: cannot be set together with ${cluster ? 'REDIS_CLUSTER_NODES' : 'REDIS_SENTINELS'}; REDIS_URL means one node`,
    );
  }
  if (sentinel && !set('REDIS_SENTINEL_MASTER')) {
    problems.push(
      'REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS (the monitored master name)',
    );
  }
  if (set('REDIS_SENTINEL_MASTER') && !sentinel) {
    problems.push('REDIS_SENTINEL_MASTER: only means something with REDIS_SENTINELS');
  }
  if (set('REDIS_SENTINEL_PASSWORD') && !sentinel) {
    problems.push('REDIS_SENTINEL_PASSWORD: only means something with REDIS_SENTINELS');
  }
  if (set('REDIS_USERNAME') && !set('REDIS_PASSWORD')) {
    problems.push('REDIS_USERNAME: an ACL user needs REDIS_PASSWORD');
  }
  const url = env.REDIS_URL;
  const tls = env.REDIS_TLS;
  const urlTls = url?.startsWith('rediss://') === true;
  const tlsTrue = tls !== undefined && /^(true|1|yes)$/.test(tls);
  if (urlTls && tls !== undefined && /^(false|0|no)$/.test(tls)) {
    problems.push('REDIS_TLS: is false but REDIS_URL uses rediss:// (TLS)');
  }
  if (url !== undefined && /^redis:\/\//.test(url) && tlsTrue) {
    problems.push('REDIS_TLS: is true but REDIS_URL uses redis://; write rediss:// instead');
  }
  if (set('REDIS_TLS_CA_FILE') && !urlTls && !tlsTrue) {
    problems.push('REDIS_TLS_CA_FILE: only means something with TLS (rediss:// or REDIS_TLS=true)');
  }
  if (cluster && env.QUEUE_PREFIX !== undefined && !/\{[^{}]+\}/.test(env.QUEUE_PREFIX)) {
    // BullMQ's scripts touch several keys of one queue; on Cluster they must share a slot.
    problems.push(
      'QUEUE_PREFIX: needs a {hash tag} (e.g. {storefront}) when REDIS_CLUSTER_NODES is set',
    );
  }
  if (env.NODE_ENV === 'production' && !set('REDIS_URL') && !cluster && !sentinel) {
    problems.push(
      'REDIS_URL: required when NODE_ENV=production (or REDIS_CLUSTER_NODES / REDIS_SENTINELS)',
    );
  }
  return problems;
}
