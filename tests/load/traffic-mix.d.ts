// Types for traffic-mix.js (plain JavaScript so that k6 can import it too).

/** Popularity mix: one hot "drop" creator, the rest a Zipf tail. */
export interface TrafficMix {
  hotUsername: string;
  hotShare: number;
  zipfExponent: number;
}

/** Where simulated clients appear to come from (the proxy's X-Forwarded-For). */
export interface ClientPool {
  xffBase: string;
  xffPoolSize: number;
}

/** Seconds in a k6-style duration ("90s", "2m", "1m30s", "500ms"). */
export function parseDurationSeconds(text: string): number;
/** The tail usernames the demo seed creates: creator0001, creator0002, ... */
export function defaultTailUsernames(count: number): string[];
/** A picker for the next request's username following the mix. */
export function createUsernamePicker(
  mix: TrafficMix,
  tailUsernames: readonly string[],
  random?: () => number,
): () => string;
/** The stable X-Forwarded-For address of virtual user `vu` (1-based). */
export function clientAddress(vu: number, clients: ClientPool): string;
/** A think time in seconds, uniform in [min, max]. */
export function thinkTimeSeconds(
  think: { min: number; max: number },
  random?: () => number,
): number;
/** The request path for `username`. */
export function requestPath(template: string, username: string): string;
