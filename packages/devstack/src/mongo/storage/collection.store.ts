import { UUID } from 'bson';
import { CommandError, ErrorCode } from '../errors.ts';
import { compileFilter } from '../query/matcher.ts';
import { encodeKey, valuesAtPath, type Doc } from './key-encoding.ts';
import {
  bucketInto,
  duplicateKeyError,
  Index,
  type IndexKeys,
  type IndexSpec,
  type Rec,
} from './index.store.ts';
import { equalityConstraints, impliesPartialFilter, type Constraint } from './planner.ts';

const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };
const MAX_LOOKUP_KEYS = 1000;

/** Records a query must look at: all of them, or an index's candidates. */
export interface Candidates {
  recs: Iterable<Rec>;
  /** The candidates are exactly the matches (the filter was one indexed scalar equality). */
  exact: boolean;
}

/** One collection: records in natural (insertion) order keyed by `_id`, plus secondary indexes. */
export class Collection {
  readonly dbName: string;
  readonly name: string;
  readonly ns: string;
  readonly uuid = new UUID();
  readonly options: Doc;
  readonly records = new Map<string, Rec>();
  readonly indexes = new Map<string, Index>();
  private seq = 0;

  constructor(dbName: string, name: string, options: Doc = {}) {
    this.dbName = dbName;
    this.name = name;
    this.ns = `${dbName}.${name}`;
    this.options = options;
  }

  get size(): number {
    return this.records.size;
  }

  /** Index specs in listIndexes order (`_id_` first). */
  indexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...[...this.indexes.values()].map((i) => i.spec)];
  }

  getById(id: unknown): Rec | undefined {
    return this.records.get(encodeKey(id));
  }

  /** Inserts a document (which must have an `_id`); throws the duplicate key error. */
  insert(doc: Doc): Rec {
    const idKey = encodeKey(doc._id);
    if (this.records.has(idKey)) {
      throw duplicateKeyError(this.ns, '_id_', { _id: 1 }, { _id: doc._id });
    }
    const rec: Rec = { doc, seq: this.seq++ };
    const keys: IndexKeys[] = [];
    for (const idx of this.indexes.values()) {
      const k = idx.keysFor(doc);
      idx.checkUnique(null, k, doc, this.ns);
      keys.push(k);
    }
    this.records.set(idKey, rec);
    let i = 0;
    for (const idx of this.indexes.values()) idx.add(rec, keys[i++] ?? null);
    return rec;
  }

  /** Replaces a record's document (same `_id`), keeping indexes and unique constraints. */
  replace(rec: Rec, next: Doc): void {
    const changes: [Index, IndexKeys, IndexKeys][] = [];
    for (const idx of this.indexes.values()) {
      const before = idx.keysFor(rec.doc);
      const after = idx.keysFor(next);
      if (sameKeys(before, after)) continue;
      idx.checkUnique(rec, after, next, this.ns);
      changes.push([idx, before, after]);
    }
    for (const [idx, before, after] of changes) {
      idx.remove(rec, before);
      idx.add(rec, after);
    }
    rec.doc = next;
  }

  remove(rec: Rec): void {
    if (!this.records.delete(encodeKey(rec.doc._id))) return;
    for (const idx of this.indexes.values()) idx.remove(rec, idx.keysFor(rec.doc));
  }

  clear(): void {
    this.records.clear();
    for (const idx of this.indexes.values()) idx.clear();
  }

  /** Builds a new index over the existing documents; throws (and adds nothing) on duplicates. */
  addIndex(spec: IndexSpec): void {
    const idx = new Index(spec);
    for (const rec of this.records.values()) {
      const k = idx.keysFor(rec.doc);
      idx.checkUnique(rec, k, rec.doc, this.ns);
      idx.add(rec, k);
    }
    this.indexes.set(spec.name, idx);
  }

  /** Records matching `filter`, in natural order, using an index for equality when one fits. */
  find(filter: Doc | undefined, limit = 0): Rec[] {
    const { recs, exact } = this.candidates(filter ?? {});
    const out: Rec[] = [];
    const test = exact ? null : compileFilter(filter);
    for (const rec of recs) {
      if (test && !test(rec.doc)) continue;
      out.push(rec);
      if (limit > 0 && out.length >= limit) break;
    }
    return out;
  }

  /** Picks the records a filter can match: an index's buckets for its equality constraints. */
  candidates(filter: Doc): Candidates {
    const all: Candidates = {
      recs: this.records.values(),
      exact: Object.keys(filter).length === 0,
    };
    if (all.exact) return all;
    const cons = equalityConstraints(filter);
    if (cons.size === 0) return all;
    const single = Object.keys(filter).length === 1;
    const idCon = cons.get('_id');
    if (idCon && idCon.values.length <= MAX_LOOKUP_KEYS) {
      const out = new Set<Rec>();
      for (const v of idCon.values) {
        const r = this.records.get(encodeKey(v));
        if (r) out.add(r);
      }
      return { recs: this.naturalOrder(out), exact: single && idCon.exact };
    }
    let best: { idx: Index; keys: string[]; prefix: boolean; con: Constraint | null } | null = null;
    for (const idx of this.indexes.values()) {
      if (!idx.queryable) continue;
      // A partial index holds only some documents: usable when the filter implies its filter.
      if (idx.partial && !impliesPartialFilter(idx.spec.partialFilterExpression ?? {}, cons))
        continue;
      const fieldCons = idx.fields.map((f) => cons.get(f));
      if (idx.sparse && fieldCons.some((c) => !c || c.values.some((v) => v == null))) continue;
      if (fieldCons.every((c) => c !== undefined)) {
        const keys = lookupKeys(fieldCons);
        if (!keys) continue;
        const better = !best || best.prefix || (idx.unique && !best.idx.unique);
        if (better)
          best = {
            idx,
            keys,
            prefix: false,
            con: fieldCons.length === 1 ? (fieldCons[0] ?? null) : null,
          };
      } else if (idx.prefix && fieldCons[0] && !best) {
        const keys = lookupKeys([fieldCons[0]]);
        if (keys) best = { idx, keys, prefix: true, con: null };
      }
    }
    if (!best) return all;
    const out = new Set<Rec>();
    const map = best.prefix ? (best.idx.prefix as Map<string, Rec | Set<Rec>>) : best.idx.entries;
    for (const k of best.keys) bucketInto(map.get(k), out);
    const exact = single && best.con !== null && best.con.exact;
    return { recs: out.size > 1 ? this.naturalOrder(out) : out, exact };
  }

  /** Deletes documents whose TTL index date has passed; returns how many were removed. */
  expire(now: number): number {
    let removed = 0;
    for (const idx of this.indexes.values()) {
      if (idx.ttlSeconds === null) continue;
      const field = idx.fields[0] as string;
      const cutoff = now - idx.ttlSeconds * 1000;
      const expired: Rec[] = [];
      for (const rec of this.records.values()) {
        const dates = valuesAtPath(rec.doc, field).filter((v): v is Date => v instanceof Date);
        if (dates.length && Math.min(...dates.map((d) => d.getTime())) <= cutoff) expired.push(rec);
      }
      for (const rec of expired) this.remove(rec);
      removed += expired.length;
    }
    return removed;
  }

  /** Index candidates come back in bucket order; queries expect natural (insertion) order. */
  private naturalOrder(set: Set<Rec>): Rec[] {
    const arr = [...set];
    if (arr.length > 1) arr.sort((a, b) => a.seq - b.seq);
    return arr;
  }
}

function sameKeys(a: IndexKeys, b: IndexKeys): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function lookupKeys(cons: Constraint[]): string[] | null {
  let keys = [''];
  for (let i = 0; i < cons.length; i++) {
    const enc = (cons[i] as Constraint).values.map(encodeKey);
    const next: string[] = [];
    for (const k of keys) for (const e of enc) next.push(i === 0 ? e : k + '\u0000' + e);
    if (next.length > MAX_LOOKUP_KEYS) return null;
    keys = next;
  }
  return keys;
}

/** Throws when a collection name is not one mongod accepts. */
export function assertCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.includes('$') || name.includes('\0')) {
    throw new CommandError(ErrorCode.InvalidNamespace, `Invalid collection name: ${String(name)}`);
  }
}
