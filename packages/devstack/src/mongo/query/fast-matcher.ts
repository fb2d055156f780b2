import {
  encodeKey,
  isExactScalar,
  isPlainObject,
  valuesAtPath,
  type Doc,
} from '../storage/key-encoding.ts';
import { compareValues, typeRank } from './sort.ts';

type Test = (doc: Doc) => boolean;

function anyEquals(values: unknown[], keys: Set<string>): boolean {
  for (const v of values) if (keys.has(encodeKey(v))) return true;
  return false;
}

function comparison(path: string, op: string, q: unknown): Test | null {
  if (!isExactScalar(q)) return null;
  const rank = typeRank(q);
  const ok =
    op === '$gt'
      ? (c: number) => c > 0
      : op === '$gte'
        ? (c: number) => c >= 0
        : op === '$lt'
          ? (c: number) => c < 0
          : (c: number) => c <= 0;
  return (doc) => {
    for (const v of valuesAtPath(doc, path))
      if (typeRank(v) === rank && ok(compareValues(v, q))) return true;
    return false;
  };
}

// `{a: null}` on a top-level field: missing, null, or an array holding null. Dotted paths
// have subtler rules and go to mingo.
function nullTest(path: string): Test | null {
  if (path.includes('.')) return null;
  return (doc) => {
    const v = doc[path];
    return v === undefined || v === null || (Array.isArray(v) && v.includes(null));
  };
}

function fieldTest(path: string, cond: unknown): Test | null {
  if (cond === null) return nullTest(path);
  if (!isPlainObject(cond)) {
    if (!isExactScalar(cond)) return null;
    const key = encodeKey(cond);
    return (doc) => {
      for (const v of valuesAtPath(doc, path)) if (encodeKey(v) === key) return true;
      return false;
    };
  }
  const tests: Test[] = [];
  for (const [op, q] of Object.entries(cond)) {
    let t: Test | null;
    switch (op) {
      case '$eq':
        // A document operand is a literal (`{$eq: {$gt: 5}}` is not a range): left to mingo.
        t = q === null || isExactScalar(q) ? fieldTest(path, q) : null;
        break;
      case '$ne': {
        const eq = q === null || isExactScalar(q) ? fieldTest(path, q) : null;
        t = eq && ((doc) => !eq(doc));
        break;
      }
      case '$in':
      case '$nin': {
        // null is left to mingo: `{a: null}` has subtle array/missing rules.
        if (!Array.isArray(q) || !q.every(isExactScalar)) return null;
        const keys = new Set(q.map(encodeKey));
        t =
          op === '$in'
            ? (doc) => anyEquals(valuesAtPath(doc, path), keys)
            : (doc) => !anyEquals(valuesAtPath(doc, path), keys);
        break;
      }
      case '$exists': {
        if (typeof q !== 'boolean') return null;
        const parts = path.split('.');
        if (parts.length > 1) return null;
        t = (doc) => (doc[path] !== undefined) === q;
        break;
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        t = comparison(path, op, q);
        break;
      default:
        return null;
    }
    if (!t) return null;
    tests.push(t);
  }
  if (tests.length === 1) return tests[0] as Test;
  return (doc) => tests.every((t) => t(doc));
}

function logical(op: string, clauses: unknown): Test | null {
  if (!Array.isArray(clauses) || clauses.length === 0) return null;
  const tests: Test[] = [];
  for (const c of clauses) {
    const t = isPlainObject(c) ? compileFast(c) : null;
    if (!t) return null;
    tests.push(t);
  }
  if (op === '$and') return (doc) => tests.every((t) => t(doc));
  if (op === '$or') return (doc) => tests.some((t) => t(doc));
  return (doc) => !tests.some((t) => t(doc));
}

/**
 * Compiles the common simple filters (scalar equality, $eq/$ne/$in/$nin/$exists and range
 * operators on scalars, implicit AND) without mingo, whose setup cost dominates per-command
 * time. Returns null for anything else, which mingo then handles.
 */
export function compileFast(filter: Doc): Test | null {
  const tests: Test[] = [];
  for (const [path, cond] of Object.entries(filter)) {
    let t: Test | null;
    if (path === '$and' || path === '$or' || path === '$nor') t = logical(path, cond);
    else if (path.startsWith('$')) return null;
    else t = fieldTest(path, cond);
    if (!t) return null;
    tests.push(t);
  }
  if (tests.length === 1) return tests[0] as Test;
  return (doc) => tests.every((t) => t(doc));
}
