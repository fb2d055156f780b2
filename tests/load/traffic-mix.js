// The traffic model shared by the k6 script and the Node runner (plain JavaScript so k6 can import
// it): which storefront a request asks for, which client address it comes from, how long a
// shopper thinks. Keeping it in one module means both tools generate the same traffic.

/** Seconds in a k6-style duration ("90s", "2m", "1m30s", "500ms"). */
export function parseDurationSeconds(text) {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  let m;
  while ((m = re.exec(text)) !== null) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n / 1000 : m[2] === 's' ? n : m[2] === 'm' ? n * 60 : n * 3600;
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== text.length) throw new Error(`bad duration: ${text}`);
  return total;
}

/** The tail usernames `seedDemo` creates when no explicit list is given: creator0001, creator0002, ... */
export function defaultTailUsernames(count) {
  const out = [];
  for (let i = 1; i <= count; i++) out.push(`creator${String(i).padStart(4, '0')}`);
  return out;
}

/**
 * Returns a function picking the username of the next request: `hotShare` of requests go to the
 * drop creator, the rest follow a Zipf law (weight 1/rank^s) over the long tail.
 */
export function createUsernamePicker(mix, tailUsernames, random) {
  const rnd = random || Math.random;
  const tail = tailUsernames.filter((u) => u !== mix.hotUsername);
  const cdf = new Float64Array(tail.length);
  let sum = 0;
  for (let k = 0; k < tail.length; k++) {
    sum += 1 / Math.pow(k + 1, mix.zipfExponent);
    cdf[k] = sum;
  }
  const hotShare = tail.length === 0 ? 1 : mix.hotShare;
  return function pick() {
    if (rnd() < hotShare) return mix.hotUsername;
    const x = rnd() * sum;
    let lo = 0;
    let hi = tail.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return tail[lo];
  };
}

/**
 * The X-Forwarded-For address of virtual user `vu` (1-based): one stable address per shopper,
 * spread over the pool by an odd multiplier modulo 2^32 (a bijection when the pool size is a power
 * of two),
 * so distinct VUs are distinct clients as the rate limiter sees them.
 */
export function clientAddress(vu, clients) {
  const index = (Math.imul(vu, 0x9e3779b1) >>> 0) % clients.xffPoolSize;
  const base = clients.xffBase.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const n = base + index;
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** A think time in seconds, uniform in [min, max]. */
export function thinkTimeSeconds(think, random) {
  const rnd = random || Math.random;
  return think.min + rnd() * (think.max - think.min);
}

/** The request path for `username` from the scenario's template. */
export function requestPath(template, username) {
  return template.replace('{username}', encodeURIComponent(username));
}
