import { getOrCreateMetric, promClient, type MetricsRegistry } from '@storefront/shared';

/**
 * How a wait ended: a notice for the order, its time up, the process draining, the client gone,
 * or the read answered without waiting (the order was settled already, or not found).
 */
export type WaitEnd = 'notified' | 'timeout' | 'closed' | 'aborted' | 'answered';

/** One order status read waiting for its order (`OrderWaits.begin`). */
export interface OrderWait {
  /** Resolves once, with how the wait ended. */
  readonly done: Promise<WaitEnd>;
  /** Ends the wait (no-op once it has ended): `answered` (default) or `aborted` (the client left). */
  cancel(how?: 'answered' | 'aborted'): void;
}

interface Waiter {
  end: (how: WaitEnd) => void;
}

export interface OrderWaitsOptions {
  /** At most this many reads wait in this process; past it a read answers at once. */
  maxWaiters: number;
  /** True while order notices can arrive (the bus's subscription is live); else no read waits. */
  hearsNotices: () => boolean;
  metrics: MetricsRegistry;
}

/**
 * Order status reads that wait for their order (`GET /api/v1/orders/{id}?wait=…`): a buyer whose
 * order shows no download yet asks once and is answered when the worker announces the delivery
 * (`publishOrderNotices`, heard on the API's bus) or when the wait is over, instead of asking
 * again and again. A notice only wakes the read, which then reads the order as any read does, so
 * a lost notice costs the buyer the rest of the wait and nothing else.
 */
export class OrderWaits {
  private readonly opts: OrderWaitsOptions;
  private readonly byOrder = new Map<string, Set<Waiter>>();
  private count = 0;
  private closed = false;
  private readonly ended: promClient.Counter<'outcome'>;
  private readonly missed: promClient.Counter;

  constructor(opts: OrderWaitsOptions) {
    this.opts = opts;
    const waiting = () => this.count;
    getOrCreateMetric(
      opts.metrics,
      'order_status_waiting',
      () =>
        new promClient.Gauge({
          name: 'order_status_waiting',
          help: 'Order status reads waiting for their order in this process (?wait=)',
          registers: [opts.metrics],
          // Read when scraped, from the live count.
          collect() {
            this.set(waiting());
          },
        }),
    );
    this.ended = getOrCreateMetric(
      opts.metrics,
      'order_status_waits_total',
      () =>
        new promClient.Counter({
          name: 'order_status_waits_total',
          help: 'Order status reads asked to wait, by how the wait ended (refused: answered at once because this process could not wait: at its limit, draining, or not hearing notices)',
          labelNames: ['outcome'],
          registers: [opts.metrics],
        }),
    );
    this.missed = getOrCreateMetric(
      opts.metrics,
      'order_delivery_notices_missed_total',
      () =>
        new promClient.Counter({
          name: 'order_delivery_notices_missed_total',
          help: "Order status reads that waited their whole ?wait= although the order was delivered meanwhile: the worker's delivery notice did not arrive",
          registers: [opts.metrics],
        }),
    );
  }

  /**
   * A wait ran out although its order was delivered meanwhile: the delivery's notice never came
   * (a few happen when a delivery lands in a wait's last moments; many mean notices are lost).
   */
  noticeMissed(): void {
    this.missed.inc();
  }

  /** Reads waiting now. */
  get size(): number {
    return this.count;
  }

  /**
   * Starts waiting up to `ms` for a notice of `orderId`, or returns undefined when this process
   * cannot wait (at its limit, draining, or not hearing notices): then answer at once. Begin
   * before reading the order, so that a notice arriving during the read is not missed.
   */
  begin(orderId: string, ms: number): OrderWait | undefined {
    if (this.closed || this.count >= this.opts.maxWaiters || !this.opts.hearsNotices()) {
      this.ended.inc({ outcome: 'refused' });
      return undefined;
    }
    let waiters = this.byOrder.get(orderId);
    if (!waiters) {
      waiters = new Set();
      this.byOrder.set(orderId, waiters);
    }
    const set = waiters;
    let resolve!: (how: WaitEnd) => void;
    const done = new Promise<WaitEnd>((r) => (resolve = r));
    const waiter: Waiter = {
      end: (how) => {
        if (!set.delete(waiter)) return;
        clearTimeout(timer);
        if (set.size === 0 && this.byOrder.get(orderId) === set) this.byOrder.delete(orderId);
        this.count -= 1;
        this.ended.inc({ outcome: how });
        resolve(how);
      },
    };
    const timer = setTimeout(() => waiter.end('timeout'), ms);
    set.add(waiter);
    this.count += 1;
    return { done, cancel: (how = 'answered') => waiter.end(how) };
  }

  /** Wakes the reads waiting for these orders. */
  notify(orderIds: readonly string[]): void {
    for (const id of orderIds) {
      const waiters = this.byOrder.get(id);
      if (waiters) for (const w of [...waiters]) w.end('notified');
    }
  }

  /** Wakes every waiting read (the process is draining) and lets no new read wait. */
  close(): void {
    this.closed = true;
    for (const waiters of [...this.byOrder.values()]) {
      for (const w of [...waiters]) w.end('closed');
    }
  }
}
