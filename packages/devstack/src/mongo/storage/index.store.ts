import { Query } from 'mingo';
import { CommandError, ErrorCode } from '../errors.ts';
import { encodeKey, formatValue, valuesAtPath, type Doc } from './key-encoding.ts';

/** A stored document with a stable identity; updates swap `doc` for a new object. */
export interface Rec {
  doc: Doc;
  /** Insertion sequence: natural order. */
  readonly seq: number;
}

/** An index definition as listIndexes returns it. */
export interface IndexSpec {
  v: number;
  key: Record<string, unknown>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Doc;
  [option: string]: unknown;
}

type Bucket = Rec | Set<Rec>;

/** Keys a document contributes to an index; `null` when the index does not cover it. */
export type IndexKeys = string[] | null;

const MAX_KEYS_PER_DOC = 10_000;
const SEP = '\u0000';

function bucketAdd(map: Map<string, Bucket>, key: string, rec: Rec): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, rec);
  else if (cur instanceof Set) cur.add(rec);
  else if (cur !== rec) map.set(key, new Set([cur, rec]));
}

function bucketRemove(map: Map<string, Bucket>, key: string, rec: Rec): void {
  const cur = map.get(key);
  if (cur === undefined) return;
  if (cur instanceof Set) {
    cur.delete(rec);
    if (cur.size === 1) map.set(key, cur.values().next().value as Rec);
    else if (cur.size === 0) map.delete(key);
  } else if (cur === rec) {
    map.delete(key);
  }
}

/** Appends the records of a bucket to `out`. */
export function bucketInto(bucket: Bucket | undefined, out: Set<Rec>): void {
  if (bucket === undefined) return;
  if (bucket instanceof Set) for (const r of bucket) out.add(r);
  else out.add(bucket);
}

/**
 * A secondary index: Map-based buckets keyed by the canonical encoding of the indexed values.
 * Compound indexes also keep buckets by their first field so prefix equality is indexed too.
 */
export class Index {
  readonly spec: IndexSpec;
  readonly fields: string[];
  /** False for key types other than numbers and hashed (createIndexes refuses text and geo). */
  readonly queryable: boolean;
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly partial: Query | null;
  readonly ttlSeconds: number | null;
  readonly entries = new Map<string, Bucket>();
  readonly prefix: Map<string, Bucket> | null;

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key);
    this.queryable = Object.values(spec.key).every(
      (v) => typeof v === 'number' || typeof v === 'bigint' || v === 'hashed' || isNumericObject(v),
    );
    this.unique = spec.unique === true;
    this.sparse = spec.sparse === true;
    this.partial = spec.partialFilterExpression
      ? new Query(spec.partialFilterExpression, {})
      : null;
    this.ttlSeconds =
      typeof spec.expireAfterSeconds === 'number' && this.fields.length === 1
        ? spec.expireAfterSeconds
        : null;
    this.prefix = this.fields.length > 1 ? new Map() : null;
  }

  /** The keys `doc` contributes, or null when the index does not cover it (sparse/partial). */
  keysFor(doc: Doc): IndexKeys {
    if (!this.queryable) return null;
    if (this.partial && !this.partial.test(doc)) return null;
    if (this.fields.length === 1) {
      const vals = valuesAtPath(doc, this.fields[0] as string);
      if (this.sparse && vals.length === 1 && vals[0] === undefined) return null;
      if (vals.length === 1) return [encodeKey(vals[0])];
      return [...new Set(vals.map(encodeKey))];
    }
    const perField = this.fields.map((f) => valuesAtPath(doc, f));
    if (this.sparse && perField.every((v) => v.length === 1 && v[0] === undefined)) return null;
    let keys = [''];
    for (let i = 0; i < perField.length; i++) {
      const enc = [...new Set((perField[i] as unknown[]).map(encodeKey))];
      const next: string[] = [];
      for (const k of keys) for (const e of enc) next.push(i === 0 ? e : k + SEP + e);
      if (next.length > MAX_KEYS_PER_DOC) {
        throw new CommandError(ErrorCode.CannotCreateIndex, 'cannot index parallel arrays');
      }
      keys = next;
    }
    return keys;
  }

  /** The bucket key for a tuple of values, one per field (for equality lookups). */
  static tupleKey(values: unknown[]): string {
    return values.map(encodeKey).join(SEP);
  }

  add(rec: Rec, keys: IndexKeys): void {
    if (!keys) return;
    for (const k of keys) bucketAdd(this.entries, k, rec);
    if (this.prefix) for (const k of keys) bucketAdd(this.prefix, firstPart(k), rec);
  }

  remove(rec: Rec, keys: IndexKeys): void {
    if (!keys) return;
    for (const k of keys) bucketRemove(this.entries, k, rec);
    if (this.prefix) {
      for (const k of keys) {
        const p = firstPart(k);
        // Another key of the same record may share the prefix; keep it if so.
        if (!keys.some((o) => o !== k && firstPart(o) === p)) bucketRemove(this.prefix, p, rec);
      }
    }
  }

  /** Throws the mongod duplicate key error if another record already holds one of `keys`. */
  checkUnique(rec: Rec | null, keys: IndexKeys, doc: Doc, ns: string): void {
    if (!this.unique || !keys) return;
    for (const k of keys) {
      const cur = this.entries.get(k);
      if (cur === undefined) continue;
      const other = cur instanceof Set ? [...cur].find((r) => r !== rec) : cur !== rec ? cur : null;
      if (other) throw duplicateKeyError(ns, this.spec.name, this.spec.key, this.keyValue(doc, k));
    }
  }

  clear(): void {
    this.entries.clear();
    this.prefix?.clear();
  }

  private keyValue(doc: Doc, key: string): Doc {
    const parts = key.split(SEP);
    const out: Doc = {};
    this.fields.forEach((f, i) => {
      const match = valuesAtPath(doc, f).find((v) => encodeKey(v) === parts[i]);
      out[f] = match === undefined ? null : match;
    });
    return out;
  }
}

function isNumericObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Number.isNaN(Number(v));
}

function firstPart(key: string): string {
  const i = key.indexOf(SEP);
  return i < 0 ? key : key.slice(0, i);
}

/** The duplicate key error exactly as mongod words it. */
export function duplicateKeyError(
  ns: string,
  indexName: string,
  keyPattern: Record<string, unknown>,
  keyValue: Doc,
): CommandError {
  return new CommandError(
    ErrorCode.DuplicateKey,
    `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: ${formatValue(keyValue)}`,
    { keyPattern, keyValue },
  );
}
