import { encodeKey, isExactScalar, isPlainObject, type Doc } from './key-encoding.ts';

/** Equality constraints a filter imposes, by path: each document matching has one of the values. */
export interface Constraint {
  values: unknown[];
  /** Every value is a scalar whose index bucket matches exactly (no need to re-test). */
  exact: boolean;
}

/**
 * Extracts the top-level equality constraints (`{a: v}`, `{a: {$eq: v}}`, `{a: {$in: [...]}}`,
 * also inside `$and`) that an index can answer. Anything else is left to the matcher.
 */
export function equalityConstraints(
  filter: Doc,
  out = new Map<string, Constraint>(),
): Map<string, Constraint> {
  for (const key of Object.keys(filter)) {
    const v = filter[key];
    if (key === '$and') {
      if (Array.isArray(v))
        for (const sub of v) if (isPlainObject(sub)) equalityConstraints(sub, out);
      continue;
    }
    if (key.startsWith('$')) continue;
    const c = constraintFor(v);
    if (!c) continue;
    const prev = out.get(key);
    if (!prev || c.values.length < prev.values.length) out.set(key, c);
  }
  return out;
}

function indexable(v: unknown): boolean {
  return !(v instanceof RegExp) && !Array.isArray(v);
}

function constraintFor(v: unknown): Constraint | null {
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    if (keys.length > 0 && (keys[0] as string).startsWith('$')) {
      if ('$eq' in v) {
        return indexable(v.$eq)
          ? { values: [v.$eq], exact: keys.length === 1 && isExactScalar(v.$eq) }
          : null;
      }
      const list = v.$in;
      if (Array.isArray(list) && list.every(indexable)) {
        return { values: list, exact: keys.length === 1 && list.every(isExactScalar) };
      }
      return null;
    }
    return { values: [v], exact: false };
  }
  if (!indexable(v)) return null;
  return { values: [v], exact: isExactScalar(v) };
}

/**
 * Whether every document matching the filter's equality constraints `cons` also matches a
 * partial index's `partialFilterExpression`, so the index holds every candidate. Only the simple
 * forms the product uses are recognised: `{f: {$exists: true}}` (implied by a non-null equality
 * on f) and `{f: value}` (implied by equality on f to that value); anything else is "no".
 */
export function impliesPartialFilter(partial: Doc, cons: Map<string, Constraint>): boolean {
  const keys = Object.keys(partial);
  if (keys.length === 0) return false;
  for (const key of keys) {
    if (key.startsWith('$')) return false;
    const c = cons.get(key);
    if (!c) return false;
    const cond = partial[key];
    if (isPlainObject(cond)) {
      const ops = Object.keys(cond);
      if (ops.length !== 1 || cond.$exists !== true) return false;
      if (c.values.some((v) => v === null || v === undefined)) return false;
    } else if (!c.values.every((v) => encodeKey(v) === encodeKey(cond))) {
      return false;
    }
  }
  return true;
}
