import { Long } from 'bson';
import { calculateObjectSize } from 'bson';
import { CommandError, ErrorCode } from './errors.ts';
import type { Doc } from './storage/key-encoding.ts';

const DEFAULT_FIRST_BATCH = 101;
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  ns: string;
  docs: Doc[];
  pos: number;
  lastUsed: number;
}

/** A cursor reply's `cursor` field. */
export interface CursorDoc {
  id: Long;
  ns: string;
  firstBatch?: Doc[];
  nextBatch?: Doc[];
}

/** Open cursors over materialised results; batches are handed out on getMore. */
export class CursorStore {
  private readonly open = new Map<bigint, OpenCursor>();
  private nextId = BigInt(Math.floor(Math.random() * 2 ** 40)) + 1n;

  /** Starts a cursor over `docs`; returns the first batch and the id (0 when exhausted). */
  first(ns: string, docs: Doc[], batchSize?: number, singleBatch = false): { cursor: CursorDoc } {
    // batchSize 0 opens the cursor without returning documents, as on mongod.
    const size = batchSize === undefined || batchSize < 0 ? DEFAULT_FIRST_BATCH : batchSize;
    const batch = size === 0 ? [] : takeBatch(docs, 0, size);
    let id = 0n;
    if (!singleBatch && batch.length < docs.length) {
      id = this.nextId++;
      this.open.set(id, { ns, docs, pos: batch.length, lastUsed: Date.now() });
    }
    return { cursor: { firstBatch: batch, id: Long.fromBigInt(id), ns } };
  }

  /** The next batch of a cursor; throws CursorNotFound like mongod. */
  more(id: bigint, ns: string, batchSize?: number): { cursor: CursorDoc } {
    const cur = this.open.get(id);
    if (!cur) throw new CommandError(ErrorCode.CursorNotFound, `cursor id ${id} not found`);
    if (cur.ns !== ns) {
      throw new CommandError(
        13,
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cur.ns}`,
      );
    }
    const batch = takeBatch(cur.docs, cur.pos, batchSize && batchSize > 0 ? batchSize : Infinity);
    cur.pos += batch.length;
    cur.lastUsed = Date.now();
    let outId = id;
    if (cur.pos >= cur.docs.length) {
      this.open.delete(id);
      outId = 0n;
    }
    return { cursor: { nextBatch: batch, id: Long.fromBigInt(outId), ns } };
  }

  kill(id: bigint): boolean {
    return this.open.delete(id);
  }

  /** Drops cursors idle longer than mongod's default timeout. */
  reap(now: number): void {
    for (const [id, c] of this.open) if (now - c.lastUsed > IDLE_TIMEOUT_MS) this.open.delete(id);
  }

  get size(): number {
    return this.open.size;
  }
}

function takeBatch(docs: Doc[], from: number, count: number): Doc[] {
  const end = Math.min(docs.length, from + count);
  if (end - from <= DEFAULT_FIRST_BATCH) return docs.slice(from, end);
  // Large batches are capped by size so a reply stays under the 16 MB BSON limit.
  let bytes = 0;
  let i = from;
  for (; i < end; i++) {
    bytes += calculateObjectSize(docs[i] as Doc);
    if (bytes > MAX_BATCH_BYTES && i > from) break;
  }
  return docs.slice(from, i);
}

/** Reads a cursor id sent as Long, bigint or number. */
export function toCursorId(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (v instanceof Long) return v.toBigInt();
  throw new CommandError(ErrorCode.TypeMismatch, "Field 'getMore' must be of type long");
}
