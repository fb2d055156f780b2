/**
 * Pre-signed download links, reused while they have at least half their lifetime left.
 *
 * Every buyer of a product downloads the same file (`order.delivery.fileKey`), and a buyer who
 * paid polls their order until the link appears: signing afresh for each answer cost about
 * 0.5 ms of CPU (AWS SDK SigV4 presigning), once per paid buyer in a drop. A link grants the
 * same access whoever asked for it and whenever it was signed, so handing an existing one to
 * another authorized buyer exposes nothing more; each answer still states the link's own
 * expiry, which is never less than half the configured lifetime away.
 */
export class DownloadUrlCache {
  private readonly entries = new Map<string, { url: string; expiresAtMs: number }>();
  private readonly signing = new Map<string, Promise<{ url: string; expiresAtMs: number }>>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(opts: { maxEntries: number; now?: () => number }) {
    this.maxEntries = opts.maxEntries;
    this.now = opts.now ?? Date.now;
  }

  /**
   * The link for `cacheKey` (everything the signed URL depends on), signed by `sign` for
   * `ttlSeconds` when there is none with at least half of that left. Concurrent calls for one key
   * share one signing; a failed signing is not kept.
   */
  async get(
    cacheKey: string,
    ttlSeconds: number,
    sign: () => Promise<string>,
  ): Promise<{ url: string; expiresAt: Date }> {
    const cached = this.entries.get(cacheKey);
    if (cached && cached.expiresAtMs - this.now() >= (ttlSeconds * 1000) / 2) {
      return { url: cached.url, expiresAt: new Date(cached.expiresAtMs) };
    }
    let pending = this.signing.get(cacheKey);
    if (!pending) {
      // Taken before signing: the URL's own clock starts no earlier, so it never expires first.
      const signedAt = this.now();
      pending = sign()
        .then((url) => this.store(cacheKey, { url, expiresAtMs: signedAt + ttlSeconds * 1000 }))
        .finally(() => this.signing.delete(cacheKey));
      this.signing.set(cacheKey, pending);
    }
    const entry = await pending;
    return { url: entry.url, expiresAt: new Date(entry.expiresAtMs) };
  }

  private store(
    cacheKey: string,
    entry: { url: string; expiresAtMs: number },
  ): { url: string; expiresAtMs: number } {
    // Re-inserted at the end: the Map's order is then oldest-signed first, which goes first.
    this.entries.delete(cacheKey);
    this.entries.set(cacheKey, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry;
  }
}
