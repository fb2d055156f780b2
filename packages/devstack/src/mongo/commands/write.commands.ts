import { ObjectId } from 'bson';
import { CommandError, ErrorCode, toCommandError } from '../errors.ts';
import { applyUpdate, buildUpsert, idFirst, isOperatorUpdate } from '../query/update.ts';
import { sortDocs } from '../query/sort.ts';
import type { Collection } from '../storage/collection.store.ts';
import { assertInsertableId } from '../storage/id-field.ts';
import type { Rec } from '../storage/index.store.ts';
import { isPlainObject, type Doc } from '../storage/key-encoding.ts';
import {
  arrayArg,
  collectionArg,
  docArg,
  num,
  type CommandContext,
  type CommandHandler,
} from './command.types.ts';
import { checkCollation, checkHint, checkVariables } from './unsupported-options.ts';

function writeReply(n: number, writeErrors: Doc[], extra: Doc = {}): Doc {
  const reply: Doc = { n, ...extra };
  if (writeErrors.length) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return reply;
}

/** Inserts `doc` into `coll`, `_id` first (a new ObjectId when it has none). */
export function insertDoc(coll: Collection, doc: Doc): void {
  if (doc._id !== undefined) assertInsertableId(doc._id);
  coll.insert(doc._id === undefined ? { _id: new ObjectId(), ...doc } : idFirst(doc));
}

/** `insert`: ordered or unordered, one write error per failed document. */
const insert: CommandHandler = (ctx) => {
  const name = collectionArg(ctx);
  const docs = arrayArg(ctx.body, 'documents');
  const ordered = ctx.body.ordered !== false;
  const coll = ctx.state.catalog.getOrCreate(ctx.db, name);
  const writeErrors: Doc[] = [];
  let n = 0;
  for (let i = 0; i < docs.length; i++) {
    try {
      const doc = docs[i];
      if (!isPlainObject(doc))
        throw new CommandError(ErrorCode.TypeMismatch, 'document to insert must be an object');
      insertDoc(coll, doc);
      n++;
    } catch (err) {
      writeErrors.push(toCommandError(err).toWriteError(i));
      if (ordered) break;
    }
  }
  return writeReply(n, writeErrors);
};

/** Records matched by a write's filter: the first (after an optional sort) or all of them. */
export function matchForWrite(
  coll: Collection | undefined,
  filter: Doc,
  multi: boolean,
  sort?: unknown,
): Rec[] {
  if (!coll) return [];
  if (sort && isPlainObject(sort) && Object.keys(sort).length > 0) {
    const recs = coll.find(filter);
    const byDoc = new Map(recs.map((r) => [r.doc, r]));
    const sorted = sortDocs(
      recs.map((r) => r.doc),
      sort,
    ).map((d) => byDoc.get(d) as Rec);
    return multi ? sorted : sorted.slice(0, 1);
  }
  return coll.find(filter, multi ? 0 : 1);
}

/** Removes the first (or, with `multi`, every) record matching `filter`; returns how many. */
export function deleteMatching(coll: Collection | undefined, filter: Doc, multi: boolean): number {
  const recs = matchForWrite(coll, filter, multi);
  for (const rec of recs) coll?.remove(rec);
  return recs.length;
}

interface UpdateStats {
  n: number;
  nModified: number;
  upsertedId?: unknown;
}

/** Runs one update statement; shared by `update` and `findAndModify`-like callers. */
export function runUpdate(ctx: CommandContext, collName: string, stmt: Doc): UpdateStats {
  const filter = docArg(stmt, 'q') ?? {};
  const u = stmt.u;
  const multi = stmt.multi === true;
  const arrayFilters = Array.isArray(stmt.arrayFilters) ? (stmt.arrayFilters as Doc[]) : undefined;
  if (multi && !Array.isArray(u) && !isOperatorUpdate(u)) {
    throw new CommandError(
      ErrorCode.FailedToParse,
      'multi update is not supported for replacement-style update',
    );
  }
  const existing = ctx.state.catalog.get(ctx.db, collName);
  checkHint(existing, stmt.hint);
  const recs = matchForWrite(existing, filter, multi, stmt.sort);
  if (recs.length === 0) {
    if (stmt.upsert !== true) return { n: 0, nModified: 0 };
    const doc = buildUpsert(filter, u, arrayFilters);
    ctx.state.catalog.getOrCreate(ctx.db, collName).insert(doc);
    return { n: 1, nModified: 0, upsertedId: doc._id };
  }
  const coll = existing as Collection;
  let nModified = 0;
  for (const rec of recs) {
    const out = applyUpdate(rec.doc, u, { filter, arrayFilters });
    if (!out.modified) continue;
    coll.replace(rec, out.doc);
    nModified++;
  }
  return { n: recs.length, nModified };
}

// Checked before any statement runs, so a refused option never leaves a batch half applied.
function checkStatements(body: Doc, stmts: unknown[], kind: 'update' | 'delete'): void {
  checkVariables(body.let, `let on ${kind}`);
  for (const stmt of stmts) {
    if (!isPlainObject(stmt)) continue;
    checkCollation(stmt.collation, `${kind} statements`);
    checkVariables(stmt.c, `c (constants) on ${kind} statements`);
  }
}

/** `update`: multi, upsert ($setOnInsert), arrayFilters, pipeline updates. */
const update: CommandHandler = (ctx) => {
  const name = collectionArg(ctx);
  const stmts = arrayArg(ctx.body, 'updates');
  checkStatements(ctx.body, stmts, 'update');
  const ordered = ctx.body.ordered !== false;
  const writeErrors: Doc[] = [];
  const upserted: Doc[] = [];
  let n = 0;
  let nModified = 0;
  for (let i = 0; i < stmts.length; i++) {
    try {
      const stmt = stmts[i];
      if (!isPlainObject(stmt))
        throw new CommandError(ErrorCode.TypeMismatch, 'update statement must be an object');
      const res = runUpdate(ctx, name, stmt);
      n += res.n;
      nModified += res.nModified;
      if (res.upsertedId !== undefined) upserted.push({ index: i, _id: res.upsertedId });
    } catch (err) {
      writeErrors.push(toCommandError(err).toWriteError(i));
      if (ordered) break;
    }
  }
  const extra: Doc = { nModified };
  if (upserted.length) extra.upserted = upserted;
  return writeReply(n, writeErrors, extra);
};

/** `delete`: limit 1 deletes the first match, limit 0 all matches. */
const del: CommandHandler = (ctx) => {
  const name = collectionArg(ctx);
  const stmts = arrayArg(ctx.body, 'deletes');
  checkStatements(ctx.body, stmts, 'delete');
  const ordered = ctx.body.ordered !== false;
  const coll = ctx.state.catalog.get(ctx.db, name);
  const writeErrors: Doc[] = [];
  let n = 0;
  for (let i = 0; i < stmts.length; i++) {
    try {
      const stmt = stmts[i];
      if (!isPlainObject(stmt))
        throw new CommandError(ErrorCode.TypeMismatch, 'delete statement must be an object');
      const limit = num(stmt.limit, 0);
      if (limit !== 0 && limit !== 1) {
        throw new CommandError(
          ErrorCode.FailedToParse,
          'The limit field in delete objects must be 0 or 1. Got ' + limit,
        );
      }
      checkHint(coll, stmt.hint);
      n += deleteMatching(coll, docArg(stmt, 'q') ?? {}, limit === 0);
    } catch (err) {
      writeErrors.push(toCommandError(err).toWriteError(i));
      if (ordered) break;
    }
  }
  return writeReply(n, writeErrors);
};

/** Write commands by name. */
export const writeCommands: Record<string, CommandHandler> = { insert, update, delete: del };
