import DataLoader from 'dataloader';
import { Document, type Collection, type Model } from 'mongoose';

/**
 * How a process groups concurrent calls of one repository method into one database command.
 * Under a creator drop a worker runs dozens of jobs at once, each making the same few calls
 * (read the event, read the order, log, finish): batched, a few commands serve them all.
 */
export interface BatchOptions {
  /**
   * How long the first call of a batch waits for others, in ms. 0: only calls made in the same
   * tick share a command (no added latency; what request handlers use). A function is asked when
   * each batch starts (the worker waits longer while its event loop has slack).
   */
  windowMs: number | (() => number);
  /** Most calls in one command. */
  maxSize: number;
}

/** Calls made in the same tick share a command; nothing waits. */
export const SAME_TICK: BatchOptions = { windowMs: 0, maxSize: 500 };

/**
 * Turns `run`, which serves many keys with one command, into a function of one key. Calls that
 * arrive within the window go to `run` together; `run` returns one result per key, in key order,
 * or an Error for a key that failed alone. If `run` throws, every call of the batch rejects
 * (each caller retries as it would have after its own failed command).
 */
export function batched<K, V>(
  run: (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>,
  opts: BatchOptions,
): (key: K) => Promise<V> {
  const { windowMs } = opts;
  const windowOf = typeof windowMs === 'function' ? windowMs : () => windowMs;
  const loader = new DataLoader<K, V, K>(run, {
    cache: false,
    maxBatchSize: opts.maxSize,
    // A fixed 0 keeps DataLoader's own scheduling (calls of one tick).
    ...(windowMs !== 0
      ? { batchScheduleFn: (callback: () => void) => afterWindow(windowOf(), callback) }
      : {}),
  });
  return (key) => loader.load(key);
}

/** Runs `callback` after `ms`, or with 0 where DataLoader would: once this tick's promises ran. */
function afterWindow(ms: number, callback: () => void): void {
  if (ms > 0) setTimeout(callback, ms);
  else void Promise.resolve().then(() => process.nextTick(callback));
}

/** `docs` matched back to `keys` by `idOf` (the key's string form); null where none matched. */
export function inKeyOrder<D>(
  keys: readonly string[],
  docs: readonly D[],
  idOf: (doc: D) => string | undefined,
): Array<D | null> {
  const found = new Map<string, D>();
  for (const doc of docs) {
    const id = idOf(doc);
    // The first match wins, as findOne's would.
    if (id !== undefined && !found.has(id)) found.set(id, doc);
  }
  return keys.map((k) => found.get(k) ?? null);
}

/** An error of one document's write in a bulk write, with the server's code (11000: duplicate key). */
export type WriteError = Error & { code?: unknown };

/**
 * Runs an unordered bulk write of `count` documents and returns, per document, undefined when it
 * was written or the error of its own write. Throws when the command as a whole failed.
 */
export async function writeEach(
  count: number,
  write: () => Promise<unknown>,
): Promise<Array<WriteError | undefined>> {
  try {
    await write();
    return Array.from({ length: count }, () => undefined);
  } catch (err) {
    const failed = writeErrorsByIndex(err);
    if (!failed) throw err;
    return Array.from({ length: count }, (_, i) => failed.get(i));
  }
}

/**
 * Inserts each of `docs` unless a document matching its `filterOf` is stored (an upsert whose
 * update is `$setOnInsert`, so an existing one is left as it is), as one unordered bulk write,
 * and returns what writeEach does. Straight to the driver: the documents are typed and built by
 * our code, and mongoose's casting of them cost about a tenth of the worker's CPU; unset optional
 * fields are left out, as mongoose would.
 */
export function insertEachIfAbsent<D extends object>(
  collection: Pick<Collection, 'bulkWrite'>,
  docs: readonly D[],
  filterOf: (doc: D) => Record<string, unknown>,
): Promise<Array<WriteError | undefined>> {
  return writeEach(docs.length, () =>
    collection.bulkWrite(
      docs.map((doc) => ({
        updateOne: { filter: filterOf(doc), update: { $setOnInsert: doc }, upsert: true },
      })),
      { ordered: false, ignoreUndefined: true },
    ),
  );
}

/**
 * Inserts `docs` as one unordered command through mongoose's `insertMany`, which builds, casts,
 * validates and timestamps each document as `create` would (setters such as card-number masking
 * included), and returns per document the stored document as a plain object, or the error of
 * its own validation or write. Throws when the command as a whole failed.
 */
export async function insertEachValidated<T>(
  model: Model<T>,
  docs: readonly object[],
): Promise<Array<T | WriteError>> {
  let results: unknown;
  try {
    const res = await model.insertMany(docs as never[], { ordered: false, rawResult: true });
    results = (res as { mongoose?: { results?: unknown } }).mongoose?.results;
  } catch (err) {
    // Only a write error of some documents carries per-document results; anything else (the
    // server unreachable, a timeout) failed the whole command.
    const e = err as { writeErrors?: unknown; results?: unknown } | null;
    if (e?.writeErrors == null || !Array.isArray(e.results)) throw err;
    results = e.results;
  }
  if (!Array.isArray(results) || results.length !== docs.length) {
    throw new Error('insertMany returned no result per document');
  }
  return results.map((r: unknown) => (r instanceof Document ? (r.toObject() as T) : asError(r)));
}

/** A validation error as it is; a driver WriteError (not an Error) with its message and code. */
function asError(r: unknown): WriteError {
  if (r instanceof Error) return r;
  const we = r as { errmsg?: unknown; code?: unknown } | null;
  const e: WriteError = new Error(typeof we?.errmsg === 'string' ? we.errmsg : 'write failed');
  e.code = we?.code;
  return e;
}

/** The per-document errors of an unordered bulk write by index, or null when it is not one. */
function writeErrorsByIndex(err: unknown): Map<number, WriteError> | null {
  const raw = (err as { writeErrors?: unknown } | null)?.writeErrors;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  if (list.length === 0) return null;
  const byIndex = new Map<number, WriteError>();
  for (const we of list as Array<{ index?: unknown; code?: unknown; errmsg?: unknown }>) {
    if (typeof we.index !== 'number') return null;
    const e: WriteError = new Error(typeof we.errmsg === 'string' ? we.errmsg : 'write failed');
    e.code = we.code;
    byIndex.set(we.index, e);
  }
  return byIndex;
}
