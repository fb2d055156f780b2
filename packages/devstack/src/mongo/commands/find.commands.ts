import { Long } from 'bson';
import { toCursorId } from '../cursors.ts';
import { CommandError, ErrorCode } from '../errors.ts';
import { compileFilter } from '../query/matcher.ts';
import { project } from '../query/projection.ts';
import { sortDocs } from '../query/sort.ts';
import { encodeKey, isPlainObject, valuesAtPath, type Doc } from '../storage/key-encoding.ts';
import { collectionArg, docArg, num, type CommandHandler } from './command.types.ts';
import {
  checkCollation,
  checkFindOptions,
  checkHint,
  checkVariables,
} from './unsupported-options.ts';

/** `find`: filter, sort, projection, skip, limit, batchSize, singleBatch. */
const find: CommandHandler = (ctx) => {
  const name = collectionArg(ctx);
  const ns = `${ctx.db}.${name}`;
  checkCollation(ctx.body.collation, 'find');
  checkVariables(ctx.body.let, 'let on find');
  checkFindOptions(ctx.body);
  const filter = docArg(ctx.body, 'filter');
  const sort = docArg(ctx.body, 'sort');
  const skip = num(ctx.body.skip, 0);
  let limit = num(ctx.body.limit, 0);
  let singleBatch = ctx.body.singleBatch === true;
  if (limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  if (skip < 0)
    throw new CommandError(
      ErrorCode.BadValue,
      "BSON field 'skip' value must be >= 0, actual value '" + skip + "'",
    );
  const coll = ctx.state.catalog.get(ctx.db, name);
  checkHint(coll, ctx.body.hint);
  let docs: Doc[] = [];
  if (coll) {
    const sorted = sort && Object.keys(sort).length > 0;
    const early = !sorted && limit > 0 ? skip + limit : 0;
    docs = coll.find(filter, early).map((r) => r.doc);
    if (sorted) docs = sortDocs(docs, sort);
    if (skip || limit) docs = docs.slice(skip, limit ? skip + limit : undefined);
    docs = project(docs, ctx.body.projection, filter);
  }
  const batchSize = ctx.body.batchSize === undefined ? undefined : num(ctx.body.batchSize, 101);
  return { ...ctx.state.cursors.first(ns, docs, batchSize, singleBatch), ok: 1 };
};

/** `getMore`: the next batch of an open cursor. */
const getMore: CommandHandler = (ctx) => {
  const id = toCursorId(ctx.body.getMore);
  const coll = ctx.body.collection;
  if (typeof coll !== 'string')
    throw new CommandError(ErrorCode.TypeMismatch, "BSON field 'getMore.collection' is missing");
  const batchSize = ctx.body.batchSize === undefined ? undefined : num(ctx.body.batchSize, 0);
  return { ...ctx.state.cursors.more(id, `${ctx.db}.${coll}`, batchSize), ok: 1 };
};

/** `killCursors`: mongod's reply shape with killed / not found lists. */
const killCursors: CommandHandler = (ctx) => {
  const ids = Array.isArray(ctx.body.cursors) ? ctx.body.cursors : [];
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const raw of ids) {
    const id = toCursorId(raw);
    (ctx.state.cursors.kill(id) ? killed : notFound).push(Long.fromBigInt(id));
  }
  return {
    cursorsKilled: killed,
    cursorsNotFound: notFound,
    cursorsAlive: [],
    cursorsUnknown: [],
    ok: 1,
  };
};

/** `count`: with query, skip and limit. */
const count: CommandHandler = (ctx) => {
  checkCollation(ctx.body.collation, 'count');
  const coll = ctx.state.catalog.get(ctx.db, collectionArg(ctx));
  checkHint(coll, ctx.body.hint);
  const query = docArg(ctx.body, 'query');
  const skip = num(ctx.body.skip, 0);
  const limit = Math.abs(num(ctx.body.limit, 0));
  let n = 0;
  if (coll) n = !query || Object.keys(query).length === 0 ? coll.size : coll.find(query).length;
  n = Math.max(0, n - skip);
  if (limit) n = Math.min(n, limit);
  return { n, ok: 1 };
};

/** `distinct`: values at a path (arrays unwound), each once. */
const distinct: CommandHandler = (ctx) => {
  checkCollation(ctx.body.collation, 'distinct');
  const key = ctx.body.key;
  if (typeof key !== 'string')
    throw new CommandError(ErrorCode.TypeMismatch, "BSON field 'distinct.key' is missing");
  const coll = ctx.state.catalog.get(ctx.db, collectionArg(ctx));
  checkHint(coll, ctx.body.hint);
  const seen = new Map<string, unknown>();
  if (coll) {
    const query = docArg(ctx.body, 'query');
    for (const rec of coll.find(query)) {
      for (const v of valuesAtPath(rec.doc, key)) {
        if (v === undefined) continue;
        const k = encodeKey(v);
        if (!seen.has(k)) seen.set(k, v);
      }
    }
  }
  return {
    values: sortDocs(
      [...seen.values()].map((v) => ({ v })),
      { v: 1 },
    ).map((d) => d.v),
    ok: 1,
  };
};

/** Read commands by name. */
export const findCommands: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  count,
  distinct,
};

/** Whether a filter is usable as a mingo filter (used by listCollections). */
export function filterDocs(docs: Doc[], filter: unknown): Doc[] {
  if (!isPlainObject(filter) || Object.keys(filter).length === 0) return docs;
  const test = compileFilter(filter);
  return docs.filter(test);
}
