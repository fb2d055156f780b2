import { Query } from 'mingo';
import { CommandError, ErrorCode } from '../errors.ts';
import type { Doc } from '../storage/key-encoding.ts';
import { compileFast } from './fast-matcher.ts';

/** A compiled filter predicate. */
export type Matcher = (doc: Doc) => boolean;

const matchAll: Matcher = () => true;

/** Compiles a query filter with mingo, mapping its errors to mongod's BadValue. */
export function compileFilter(filter: Doc | undefined | null): Matcher {
  if (!filter || Object.keys(filter).length === 0) return matchAll;
  const fast = compileFast(filter);
  if (fast) return fast;
  let q: Query;
  try {
    q = new Query(filter, {});
  } catch (err) {
    throw new CommandError(ErrorCode.BadValue, err instanceof Error ? err.message : String(err));
  }
  return (doc) => q.test(doc);
}
