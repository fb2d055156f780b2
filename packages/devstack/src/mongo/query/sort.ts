import { CommandError, ErrorCode } from '../errors.ts';
import { isPlainObject, valuesAtPath, type Doc } from '../storage/key-encoding.ts';

interface Tagged {
  _bsontype?: string;
}

/** Rank of a value's BSON type in mongod's comparison order. */
export function typeRank(v: unknown): number {
  switch (typeof v) {
    case 'undefined':
      return 2;
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
    case 'object':
    case 'function':
    case 'symbol':
      break;
  }
  if (v === null) return 2;
  if (Array.isArray(v)) return 6;
  if (v instanceof Date) return 10;
  if (v instanceof RegExp) return 12;
  switch ((v as Tagged)._bsontype) {
    case 'MinKey':
      return 0;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'MaxKey':
      return 14;
    case undefined:
    default:
      return 5;
  }
  return 5;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return Number(String(v));
}

/** Compares two BSON values in mongod's order (numbers across numeric types, then by type). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 3: {
      const x = toNumber(a);
      const y = toNumber(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 4:
    case 8:
    case 11: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 9:
      return Number(a) - Number(b);
    case 10:
      return (a as Date).getTime() - (b as Date).getTime();
    case 6: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c) return c;
      }
      return x.length - y.length;
    }
    case 5: {
      if (!isPlainObject(a) || !isPlainObject(b)) return 0;
      const ka = Object.keys(a);
      const kb = Object.keys(b);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const c = compareValues(a[ka[i] as string], b[kb[i] as string]);
        if (c) return c;
        const k = (ka[i] as string).localeCompare(kb[i] as string);
        if (k) return k;
      }
      return ka.length - kb.length;
    }
    default:
      return 0;
  }
}

/** Parses a sort spec into (path, direction) pairs; throws mongod's error for bad values. */
export function parseSort(spec: unknown): [string, 1 | -1][] {
  if (!isPlainObject(spec)) return [];
  return Object.entries(spec).map(([path, dir]) => {
    const n = Number(dir);
    if (n !== 1 && n !== -1) {
      throw new CommandError(
        ErrorCode.BadValue,
        `$sort key ordering must be 1 (for ascending) or -1 (for descending)`,
      );
    }
    return [path, n];
  });
}

// Arrays sort by their smallest element ascending and largest descending, as in mongod.
function sortKey(doc: Doc, path: string, dir: 1 | -1): unknown {
  const vals = valuesAtPath(doc, path);
  if (vals.length === 1) return vals[0];
  let best = vals[0];
  for (let i = 1; i < vals.length; i++) {
    const c = compareValues(vals[i], best);
    if (dir === 1 ? c < 0 : c > 0) best = vals[i];
  }
  return best;
}

/** Sorts documents by a mongod sort spec (stable, so ties keep natural order). */
export function sortDocs<T extends Doc>(docs: T[], spec: unknown): T[] {
  const fields = parseSort(spec);
  if (fields.length === 0 || docs.length < 2) return docs;
  const [first] = fields;
  if (first && first[0] === '$natural') return first[1] === 1 ? docs : [...docs].reverse();
  const keyed = docs.map((doc) => ({ doc, keys: fields.map(([p, d]) => sortKey(doc, p, d)) }));
  keyed.sort((x, y) => {
    for (let i = 0; i < fields.length; i++) {
      const c = compareValues(x.keys[i], y.keys[i]);
      if (c) return c * (fields[i] as [string, 1 | -1])[1];
    }
    return 0;
  });
  return keyed.map((k) => k.doc);
}
