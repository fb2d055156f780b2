import { describe, expect, it } from 'vitest';
import { DownloadUrlCache } from '../src/orders/download-url-cache.ts';

function signer() {
  let n = 0;
  const sign = () => Promise.resolve(`https://s3.test/file?sig=${++n}`);
  return { sign, count: () => n };
}

describe('DownloadUrlCache', () => {
  it('reuses a link while at least half its lifetime is left, then signs a new one', async () => {
    let now = 1_000_000;
    const cache = new DownloadUrlCache({ maxEntries: 10, now: () => now });
    const s = signer();

    const first = await cache.get('k', 120, s.sign);
    expect(first).toEqual({ url: 'https://s3.test/file?sig=1', expiresAt: new Date(1_120_000) });
    now += 60_000; // exactly half left: still reused, with its own expiry
    expect(await cache.get('k', 120, s.sign)).toEqual(first);
    now += 1; // less than half left
    const second = await cache.get('k', 120, s.sign);
    expect(second).toEqual({ url: 'https://s3.test/file?sig=2', expiresAt: new Date(1_180_001) });
    expect(s.count()).toBe(2);
  });

  it('keeps links of different keys apart', async () => {
    const cache = new DownloadUrlCache({ maxEntries: 10 });
    const s = signer();
    const a = await cache.get('a', 900, s.sign);
    const b = await cache.get('b', 900, s.sign);
    expect(a.url).not.toBe(b.url);
    expect((await cache.get('a', 900, s.sign)).url).toBe(a.url);
    expect(s.count()).toBe(2);
  });

  it('signs once for concurrent requests of one key', async () => {
    const cache = new DownloadUrlCache({ maxEntries: 10 });
    let release!: (url: string) => void;
    let calls = 0;
    const sign = () => {
      calls += 1;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const all = Promise.all([cache.get('k', 900, sign), cache.get('k', 900, sign)]);
    release('https://s3.test/once');
    const [a, b] = await all;
    expect(calls).toBe(1);
    expect(a).toEqual(b);
  });

  it('does not keep a failed signing: the next request signs again', async () => {
    const cache = new DownloadUrlCache({ maxEntries: 10 });
    await expect(
      cache.get('k', 900, () => Promise.reject(new Error('no credentials'))),
    ).rejects.toThrow('no credentials');
    const s = signer();
    expect((await cache.get('k', 900, s.sign)).url).toBe('https://s3.test/file?sig=1');
  });

  it('forgets the oldest-signed links beyond its size', async () => {
    const cache = new DownloadUrlCache({ maxEntries: 2 });
    const s = signer();
    await cache.get('a', 900, s.sign);
    await cache.get('b', 900, s.sign);
    await cache.get('c', 900, s.sign); // a goes
    await cache.get('b', 900, s.sign); // still there
    expect(s.count()).toBe(3);
    await cache.get('a', 900, s.sign);
    expect(s.count()).toBe(4);
  });
});
