import { Query } from 'mingo';
import { CommandError, ErrorCode, notSupported } from '../errors.ts';
import type { Doc } from '../storage/key-encoding.ts';
import { compileFast } from './fast-matcher.ts';

/** A compiled filter predicate. */
export type Matcher = (doc: Doc) => boolean;

const matchAll: Matcher = () => true;

// Query operators mongod answers and mingo does not know: refused naming them (mongod's
// BadValue stays for operators mongod does not know either).
const MISSING_OPERATORS = new Set([
  '$text',
  '$where',
  '$jsonSchema',
  '$geoWithin',
  '$geoIntersects',
  '$near',
  '$nearSphere',
  '$sampleRate',
]);

function queryError(err: unknown): CommandError {
  const message = err instanceof Error ? err.message : String(err);
  const missing = (message.match(/\$[A-Za-z]+/g) ?? []).find((op) => MISSING_OPERATORS.has(op));
  return missing
    ? notSupported(`the query operator ${missing}`)
    : new CommandError(ErrorCode.BadValue, message);
}

/** Compiles a query filter (fast path or mingo), mapping mingo's errors to mongod's codes. */
export function compileFilter(filter: Doc | undefined | null): Matcher {
  if (!filter || Object.keys(filter).length === 0) return matchAll;
  // $comment only labels the query for logs and profiling.
  if ('$comment' in filter) {
    return compileFilter(
      Object.fromEntries(Object.entries(filter).filter(([k]) => k !== '$comment')),
    );
  }
  const fast = compileFast(filter);
  if (fast) return fast;
  let q: Query;
  try {
    q = new Query(filter, {});
  } catch (err) {
    throw queryError(err);
  }
  return (doc) => q.test(doc);
}
