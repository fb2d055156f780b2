import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from '@storefront/shared';

// One gate in Redis in front of every reconciliation call to Razorpay, shared by all worker
// processes. It does two things with one key (a hash):
// - spacing: each call reserves the next free slot (`next`), slots 1/rate seconds apart, on
//   Redis's clock, so any one-second window holds at most `rate` calls whatever the number of
//   processes (a meter, not a bucket: no bursts at window edges);
// - pausing: after a 429/5xx/timeout/network error, `pausedUntil` stops every process's calls
//   for an exponential, jittered backoff (at least Retry-After); `failures` counts consecutive
//   failures across processes and is cleared by the next success.

// Times in microseconds: Lua numbers are doubles, exact up to 2^53 µs (~285 years of epoch).
const NOW_US = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])`;

// → {granted (0|1), wait µs, failure streak}. Not granted while paused: the caller waits and asks
// again.
const ACQUIRE = `${NOW_US}
local state = redis.call('HMGET', KEYS[1], 'pausedUntil', 'next', 'failures')
local paused = tonumber(state[1] or '0')
local failures = tonumber(state[3] or '0')
if paused > now then return {0, paused - now, failures} end
local slot = math.max(now, tonumber(state[2] or '0'))
redis.call('HSET', KEYS[1], 'next', slot + tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[1], math.ceil((slot - now) / 1000) + tonumber(ARGV[2]))
return {1, slot - now, failures}`;

// → µs left of the pause (0 when not paused).
const PAUSED_FOR = `${NOW_US}
local paused = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
return math.max(0, paused - now)`;

// Extends the pause to now + ARGV[1] ms (never shortens it); → µs left of the pause.
const PAUSE = `${NOW_US}
local paused = math.max(tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0'), now + tonumber(ARGV[1]) * 1000)
redis.call('HSET', KEYS[1], 'pausedUntil', paused)
redis.call('PEXPIRE', KEYS[1], math.ceil((paused - now) / 1000) + tonumber(ARGV[2]))
return paused - now`;

// How long the gate remembers consecutive failures after the last activity.
const IDLE_TTL_MS = 10 * 60_000;

/** The reconciliation runs' gate: the Redis key a gate uses when its options name none. */
export const RUNS_GATE_KEY = 'razorpay:gate';

/** Options of {@link createRazorpayGate}. */
export interface RazorpayGateOptions {
  maxCallsPerSecond: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Redis key of the gate (the connection's key prefix applies); default RUNS_GATE_KEY. */
  key?: string;
  /** Source of jitter; tests may fix it. */
  random?: () => number;
}

/** The shared call gate; see the module comment. */
export interface RazorpayGate {
  /**
   * Waits for this call's slot. Resolves false, without a slot, when calls are paused for longer
   * than `maxWaitMs` or `signal` aborts: the caller leaves the work to a later run.
   */
  acquire(opts: { maxWaitMs: number; signal?: AbortSignal }): Promise<boolean>;
  /** Reports a successful call: the failure streak ends. */
  succeeded(): Promise<void>;
  /** Reports a retryable failure: pauses every process's calls; returns the streak and the pause. */
  failed(retryAfterSeconds?: number): Promise<{ failures: number; pauseMs: number }>;
}

/**
 * Backoff before the next call after `failures` consecutive failures: base·2^(failures−1), capped
 * at `maxMs`, with "equal jitter" (half fixed, half random) so processes do not retry in step
 * while the pause still grows with every failure.
 */
export function backoffMs(failures: number, baseMs: number, maxMs: number, random: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

/** Creates the gate over `redis` (a fail-fast connection: a Redis outage fails the run). */
export function createRazorpayGate(redis: Redis, options: RazorpayGateOptions): RazorpayGate {
  const key = options.key ?? RUNS_GATE_KEY;
  const intervalUs = Math.ceil(1_000_000 / options.maxCallsPerSecond);
  const random = options.random ?? Math.random;

  // Whether the last slot granted saw a failure streak: only then does a success need to end it.
  let streakSeen = false;
  const pausedForMs = async (): Promise<number> =>
    Number(await redis.eval(PAUSED_FOR, 1, key)) / 1000;

  return {
    async acquire({ maxWaitMs, signal }) {
      for (;;) {
        if (signal?.aborted) return false;
        const [granted, waitUs, failures] = (await redis.eval(
          ACQUIRE,
          1,
          key,
          intervalUs,
          IDLE_TTL_MS,
        )) as [number, number, number];
        if (failures > 0) streakSeen = true;
        const waitMs = waitUs / 1000;
        if (waitMs > maxWaitMs) return false;
        if (waitMs > 0 && !(await pause(waitMs, signal))) return false;
        if (granted === 1) {
          // Another process may have hit a 429 while this one waited for its slot.
          if (waitMs === 0) return true;
          const left = await pausedForMs();
          if (left === 0) return true;
          if (left > maxWaitMs) return false;
        }
      }
    },
    async succeeded() {
      if (!streakSeen) return;
      streakSeen = false;
      await redis.hdel(key, 'failures');
    },
    async failed(retryAfterSeconds) {
      streakSeen = true;
      const failures = await redis.hincrby(key, 'failures', 1);
      const delay = Math.max(
        backoffMs(failures, options.backoffBaseMs, options.backoffMaxMs, random()),
        (retryAfterSeconds ?? 0) * 1000,
      );
      const leftUs = Number(await redis.eval(PAUSE, 1, key, delay, IDLE_TTL_MS));
      return { failures, pauseMs: leftUs / 1000 };
    },
  };
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
    return true;
  } catch {
    return false;
  }
}
