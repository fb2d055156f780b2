import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosOptions } from './options.ts';
import type { ManagedProcess } from './processes.ts';
import type { FailoverFigures } from './redis-stack.ts';
import type { Rng } from './random.ts';
import type { ChaosStack } from './stack.ts';

/** One fault as it happened, for the report. */
export interface FaultEvent {
  /** ms since the traffic started. */
  at: number;
  what: string;
}

/** Counts of the faults a run injected. */
export interface FaultFigures {
  workerKills: number;
  /** One node: crashes and empty restarts. Cluster/Sentinel: primaries killed. */
  redisOutages: number;
  /** ms the Redis outage(s) lasted (one node: kill → restarted; Cluster/Sentinel: kill → writes accepted). */
  redisDownMs: number;
  /** Cluster/Sentinel: the primary kill and the recovery measured after it. */
  failover?: FailoverFigures;
  /** ms the MongoDB write failpoint was on. */
  mongoFaultMs: number;
  throttleBursts: number;
  timeline: FaultEvent[];
}

/**
 * Injects the run's faults while the traffic runs: SIGKILLs workers at random moments (and
 * restarts them), crashes Redis once and brings it back empty, opens a window in which a share of
 * MongoDB writes fail, and arms bursts of Razorpay 429s. `progress()` is fed the fraction of
 * checkouts done; `finish()` ends every fault and makes sure both workers run again.
 */
export class FaultInjector {
  private readonly stack: ChaosStack;
  private readonly opts: ChaosOptions;
  private readonly rng: Rng;
  private readonly log: (line: string) => void;
  private readonly started = Date.now();
  private readonly stopping = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly figures: FaultFigures = {
    workerKills: 0,
    redisOutages: 0,
    redisDownMs: 0,
    mongoFaultMs: 0,
    throttleBursts: 0,
    timeline: [],
  };
  private redisOutage: Promise<void> | undefined;
  private mongoOnAt: number | undefined;
  private mongoDone = false;
  private mongoChange: Promise<void> = Promise.resolve();
  private fraction = 0;
  private readonly heldDown = new Set<ManagedProcess>();

  constructor(stack: ChaosStack, opts: ChaosOptions, rng: Rng, log: (line: string) => void) {
    this.stack = stack;
    this.opts = opts;
    this.rng = rng;
    this.log = log;
  }

  /** Starts the time-driven faults (worker kills, 429 bursts, webhook drops). */
  start(): void {
    if (this.opts.dropRatio > 0) {
      this.stack.sandbox.dropWebhooks({ ratio: this.opts.dropRatio });
      this.note(`sandbox drops ${this.opts.dropRatio * 100}% of webhook copies`);
    }
    this.loops.push(this.killLoop(), this.throttleLoop());
  }

  /** Progress-driven faults: the Redis crash and the MongoDB failure window. */
  progress(fraction: number): void {
    const o = this.opts;
    this.fraction = fraction;
    if (!this.redisOutage && o.redisDownMs > 0 && fraction >= o.redisOutageAt) {
      this.redisOutage = this.opts.redis === 'single' ? this.crashRedis() : this.failRedisPrimary();
    }
    if (o.mongoFailRatio > 0 && !this.mongoDone) {
      if (
        this.mongoOnAt === undefined &&
        fraction >= o.mongoFailFrom &&
        fraction < o.mongoFailUntil
      ) {
        this.mongoOnAt = Date.now();
        this.mongoChange = this.mongoChange.then(() => this.setMongoFailpoint(true));
      } else if (this.mongoOnAt !== undefined && fraction >= o.mongoFailUntil) {
        this.closeMongoWindow(this.mongoOnAt);
      }
    }
  }

  /** Ends every fault; both workers and Redis are up when it resolves. */
  async finish(): Promise<FaultFigures> {
    this.stopping.abort();
    await Promise.allSettled(this.loops);
    await this.redisOutage;
    if (this.mongoOnAt !== undefined && !this.mongoDone) this.closeMongoWindow(this.mongoOnAt);
    await this.mongoChange;
    this.stack.sandbox.clearFaults();
    this.stack.sandbox.clearWebhookDrops();
    for (const w of this.stack.workers) {
      if (!w.running()) await w.start();
    }
    this.note('faults over');
    return this.figures;
  }

  /** Whether the run has `p` down on purpose right now (between a kill and its restart). */
  isHeldDown(p: ManagedProcess): boolean {
    return this.heldDown.has(p);
  }

  /** Adds a line to the fault timeline (and the log). */
  note(what: string): void {
    const at = Date.now() - this.started;
    this.figures.timeline.push({ at, what });
    this.log(`  [fault +${(at / 1000).toFixed(1)}s] ${what}`);
  }

  private async killLoop(): Promise<void> {
    const [min, max] = this.opts.killEveryMs;
    if (max === 0) return;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const ok = await sleep(this.rng.between(min, max), true, { signal }).catch(() => false);
      if (!ok || this.fraction >= this.opts.killUntil) return;
      const worker = this.rng.pick(this.stack.workers);
      this.heldDown.add(worker);
      await worker.kill();
      this.figures.workerKills += 1;
      this.note(`SIGKILL ${worker.name}`);
      const [downMin, downMax] = this.opts.workerDownMs;
      await sleep(this.rng.between(downMin, downMax));
      // A restart waits for MongoDB and Redis; while Redis is down it waits for Redis.
      await worker
        .start()
        .catch((err: unknown) => this.note(`${worker.name} restart failed: ${String(err)}`))
        .finally(() => this.heldDown.delete(worker));
    }
  }

  /**
   * Rate limiting as a time window (every call in it is refused), so the share of refused calls
   * does not grow as the system slows down.
   */
  private async throttleLoop(): Promise<void> {
    const every = this.opts.throttleEveryMs;
    const window = this.opts.throttleMs;
    if (every === 0 || window === 0) return;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const ok = await sleep(Math.max(0, every - window), true, { signal }).catch(() => false);
      if (!ok) return;
      // Every other burst says when to come back, as Razorpay may.
      const retryAfter = this.figures.throttleBursts % 2 === 0 ? {} : { retryAfter: 1 };
      this.stack.sandbox.injectFault({ status: 429, count: 1_000_000_000, ...retryAfter });
      this.figures.throttleBursts += 1;
      await sleep(window);
      this.stack.sandbox.clearFaults();
    }
  }

  private async crashRedis(): Promise<void> {
    const t0 = Date.now();
    await this.stack.redis.crash();
    this.note('Redis crashed (SIGKILL; its data is gone)');
    await sleep(this.opts.redisDownMs);
    await this.stack.redis.start();
    this.figures.redisOutages += 1;
    this.figures.redisDownMs += Date.now() - t0;
    this.note(`Redis back, empty, after ${Date.now() - t0} ms`);
  }

  /**
   * SIGKILLs the Redis primary holding the queues; its replica takes over. Resolves once a job
   * has completed again (or the recovery timed out, which the drain then reports).
   */
  private async failRedisPrimary(): Promise<void> {
    const failover = await this.stack.redis
      .failover(this.stack.config, (killed) =>
        this.note(`SIGKILL Redis primary ${killed} (holds the queues); its replica takes over`),
      )
      .catch((err: unknown) => {
        this.note(`Redis failover not measured: ${String(err)}`);
        return undefined;
      });
    if (failover === undefined) return;
    this.figures.redisOutages += 1;
    this.figures.redisDownMs += failover.writesBackMs;
    this.figures.failover = failover;
    this.note(
      `Redis: ${failover.promoted} serves the queues; writes accepted again after ` +
        `${failover.writesBackMs} ms, first job completed after ` +
        (failover.firstJobMs < 0 ? 'none seen' : `${failover.firstJobMs} ms`) +
        `; ${failover.killed} restarted, ` +
        (failover.rejoinedMs < 0
          ? 'NOT a synced replica within the recovery timeout'
          : `a synced replica after ${failover.rejoinedMs} ms`),
    );
  }

  /** Ends the MongoDB failure window opened at `onAt`: records how long it lasted, failpoint off. */
  private closeMongoWindow(onAt: number): void {
    this.mongoDone = true;
    this.figures.mongoFaultMs = Date.now() - onAt;
    this.mongoChange = this.mongoChange.then(() => this.setMongoFailpoint(false));
  }

  private async setMongoFailpoint(on: boolean): Promise<void> {
    const db = this.stack.mongo.db;
    if (!db) throw new Error('orchestrator MongoDB connection not open');
    const fault = this.opts.mongoFault === 'close' ? { closeConnection: true } : { errorCode: 1 };
    await db.admin().command(
      on
        ? {
            configureFailPoint: 'failCommand',
            mode: { activationProbability: this.opts.mongoFailRatio },
            data: {
              failCommands: ['insert', 'update', 'findAndModify', 'delete'],
              // Only the API and worker connections; the orchestrator's checks stay clean.
              appName: this.stack.appName,
              ...fault,
            },
          }
        : { configureFailPoint: 'failCommand', mode: 'off' },
    );
    this.note(
      on
        ? `MongoDB: ${this.opts.mongoFailRatio * 100}% of writes fail (${this.opts.mongoFault})`
        : 'MongoDB: writes succeed again',
    );
  }
}
