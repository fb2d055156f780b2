import { getOrCreateMetric, promClient, type MetricsRegistry } from '@storefront/shared';

/** Which tier answered a storefront request. `coalesced`: waited for another request's fill in this process. */
export type StoreTier = 'memory' | 'redis' | 'coalesced' | 'mongo';
const TIERS: readonly StoreTier[] = ['memory', 'redis', 'coalesced', 'mongo'];
const TIER_INDEX: Record<StoreTier, number> = { memory: 0, redis: 1, coalesced: 2, mongo: 3 };
const RESULTS = ['found', 'not_found'] as const;

type Child = { inc: (n?: number) => void };

/** Storefront cache metrics, with label children bound up front so the hot path only increments. */
export class StoreMetrics {
  // Plain numbers on the hot path; prom-client's labelled inc() hashes the labels on every call.
  private readonly served = new Float64Array(TIERS.length * 2);
  readonly mongoQueries: Child;
  readonly redisErrors: Child;
  readonly leaseWaits: Record<'filled' | 'acquired' | 'timeout', Child>;
  readonly invalidations: Record<'local' | 'remote', Child>;
  readonly invalidationFallbacks: Child;
  readonly replacements: Record<'replaced' | 'dropped', Child>;

  constructor(registry: MetricsRegistry, sizes: () => { positive: number; negative: number }) {
    const counter = (name: string, help: string, labelNames: string[] = []) =>
      getOrCreateMetric(
        registry,
        name,
        () => new promClient.Counter({ name, help, labelNames, registers: [registry] }),
      );
    const served = this.served;
    const reported = new Float64Array(served.length);
    getOrCreateMetric(
      registry,
      'storefront_requests_total',
      () =>
        new promClient.Counter({
          name: 'storefront_requests_total',
          help: 'Storefront requests answered, by the tier that answered (memory, redis, coalesced, mongo) and result',
          labelNames: ['tier', 'result'],
          registers: [registry],
          collect() {
            for (let i = 0; i < served.length; i++) {
              const delta = served[i]! - reported[i]!;
              if (delta > 0) {
                this.inc({ tier: TIERS[i >> 1]!, result: RESULTS[i & 1]! }, delta);
                reported[i] = served[i]!;
              }
            }
          },
        }),
    );
    this.mongoQueries = counter(
      'storefront_mongo_queries_total',
      'Storefront loads from MongoDB (one per cache fill: the creator and their active products)',
    );
    this.redisErrors = counter(
      'storefront_redis_errors_total',
      'Redis cache operations that failed; the request fell back to the next tier',
    );
    // One counter with a label, and a child bound up front for each of its values.
    const labelled = <K extends string>(
      name: string,
      help: string,
      label: string,
      values: readonly K[],
    ): Record<K, Child> => {
      const metric = counter(name, help, [label]);
      return Object.fromEntries(values.map((v) => [v, metric.labels({ [label]: v })])) as Record<
        K,
        Child
      >;
    };
    this.leaseWaits = labelled(
      'storefront_lease_waits_total',
      'Fills that found another process filling the same key, by outcome',
      'outcome',
      ['filled', 'acquired', 'timeout'],
    );
    this.invalidations = labelled(
      'storefront_invalidations_total',
      'Storefront keys invalidated in this process, by origin (local write or another process)',
      'origin',
      ['local', 'remote'],
    );
    this.replacements = labelled(
      'storefront_invalidation_replacements_total',
      'Storefronts held in memory when a write invalidated them (here or in another process): replaced by the new version before the write was answered or acknowledged, or dropped (not read again within 1 s, or the read failed)',
      'outcome',
      ['replaced', 'dropped'],
    );
    this.invalidationFallbacks = counter(
      'storefront_invalidation_fallbacks_total',
      'Invalidations not acknowledged by every API process, which then waited out the memory TTL',
    );
    getOrCreateMetric(
      registry,
      'storefront_memory_entries',
      () =>
        new promClient.Gauge({
          name: 'storefront_memory_entries',
          help: 'Entries in the in-process storefront cache, by kind',
          labelNames: ['kind'],
          registers: [registry],
          collect() {
            const s = sizes();
            this.set({ kind: 'found' }, s.positive);
            this.set({ kind: 'not_found' }, s.negative);
          },
        }),
    );
  }

  /** Counts one answered request. */
  count(tier: StoreTier, found: boolean): void {
    this.served[TIER_INDEX[tier] * 2 + (found ? 0 : 1)]! += 1;
  }
}
