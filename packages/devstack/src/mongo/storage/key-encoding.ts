import { EJSON } from 'bson';

/** A stored document: BSON deserialised into plain JS values and bson classes. */
export type Doc = Record<string, unknown>;

interface BsonValue {
  _bsontype: string;
}

function bsonType(v: object): string | undefined {
  return (v as Partial<BsonValue>)._bsontype;
}

/**
 * Encodes a value as a string that is equal for values mongod considers equal, so index
 * buckets can be plain Maps. Numbers of any BSON numeric type share one encoding.
 */
export function encodeKey(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return 's' + v;
    case 'number':
      return 'n' + (v === 0 ? 0 : v);
    case 'boolean':
      return v ? 'T' : 'F';
    case 'undefined':
      return 'z';
    case 'bigint':
      return 'n' + v.toString();
    case 'object':
      break;
    case 'function':
    case 'symbol':
      return 'x' + typeof v;
  }
  if (v === null) return 'z';
  if (v instanceof Date) return 'd' + v.getTime();
  if (Array.isArray(v)) return 'a' + JSON.stringify(v.map(encodeKey));
  const t = bsonType(v);
  if (t === 'ObjectId') return 'o' + (v as { toHexString(): string }).toHexString();
  if (t === 'Long' || t === 'Int32' || t === 'Double') {
    return 'n' + (v as { toString(): string }).toString();
  }
  if (t === undefined && !(v instanceof RegExp)) {
    const parts: string[] = [];
    for (const k of Object.keys(v)) parts.push(k, encodeKey((v as Doc)[k]));
    return 'O' + JSON.stringify(parts);
  }
  return 'x' + EJSON.stringify(v, { relaxed: false });
}

/** True for values an index bucket identifies exactly (equality needs no further check). */
export function isExactScalar(v: unknown): boolean {
  const t = typeof v;
  if (t === 'string' || t === 'boolean') return true;
  if (t === 'number') return !Number.isNaN(v);
  if (v instanceof Date) return true;
  return typeof v === 'object' && v !== null && bsonType(v) === 'ObjectId';
}

/** True for a plain (non-BSON-class) object. */
export function isPlainObject(v: unknown): v is Doc {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Values a document holds at a dotted path, expanding arrays as mongod's multikey indexes do.
 * A missing path yields `[undefined]`. Arrays at the leaf yield their elements (or `[]` itself
 * when empty, which mongod indexes as undefined).
 */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  if (out.length === 0) out.push(undefined);
  return out;
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(undefined);
      else for (const e of value) out.push(e);
    } else {
      out.push(value);
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const part = parts[i] as string;
  if (Array.isArray(value)) {
    const idx = /^\d+$/.test(part) ? Number(part) : -1;
    if (idx >= 0 && idx < value.length) collect(value[idx], parts, i + 1, out);
    for (const e of value) if (isPlainObject(e)) collect(e, parts, i, out);
    return;
  }
  if (!isPlainObject(value)) return;
  if (!(part in value)) return;
  collect(value[part], parts, i + 1, out);
}

/** Sets a dotted path on a plain document, creating intermediate objects. */
export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const next = cur[part];
    if (!isPlainObject(next)) {
      const created: Doc = {};
      cur[part] = created;
      cur = created;
    } else {
      cur = next;
    }
  }
  cur[parts[parts.length - 1] as string] = value;
}

/** Formats a value the way mongod prints it in error messages (`dup key: { email: "a" }`). */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return `[ ${v.map(formatValue).join(', ')} ]`;
  if (typeof v === 'object') {
    const t = bsonType(v);
    if (t === 'ObjectId') return `ObjectId('${(v as { toHexString(): string }).toHexString()}')`;
    if (t === undefined && isPlainObject(v)) {
      const entries = Object.entries(v).map(([k, x]) => `${k}: ${formatValue(x)}`);
      return entries.length ? `{ ${entries.join(', ')} }` : '{}';
    }
    return EJSON.stringify(v, { relaxed: true });
  }
  return typeof v;
}
