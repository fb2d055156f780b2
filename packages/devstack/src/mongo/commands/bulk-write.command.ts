import { CommandError, ErrorCode, toCommandError } from '../errors.ts';
import { isPlainObject, type Doc } from '../storage/key-encoding.ts';
import { arrayArg, docArg, type CommandContext, type CommandHandler } from './command.types.ts';
import { checkCollation, checkHint, checkVariables } from './unsupported-options.ts';
import { deleteMatching, insertDoc, runUpdate } from './write.commands.ts';

interface Counts {
  nInserted: number;
  nMatched: number;
  nModified: number;
  nUpserted: number;
  nDeleted: number;
}

function splitNs(ns: unknown): [string, string] {
  const i = typeof ns === 'string' ? ns.indexOf('.') : -1;
  if (typeof ns !== 'string' || i <= 0) {
    throw new CommandError(
      ErrorCode.InvalidNamespace,
      'Invalid namespace specified in bulkWrite nsInfo',
    );
  }
  return [ns.slice(0, i), ns.slice(i + 1)];
}

function runOp(ctx: CommandContext, op: Doc, nsInfo: Doc[], idx: number, counts: Counts): Doc {
  const kind = Object.keys(op)[0];
  const nsEntry = nsInfo[Number(op[kind ?? ''])];
  if (!kind || !nsEntry)
    throw new CommandError(ErrorCode.BadValue, `invalid bulkWrite operation at index ${idx}`);
  const [db, coll] = splitNs(nsEntry.ns);
  const target: CommandContext = { ...ctx, db };
  if (kind === 'insert') {
    const doc = docArg(op, 'document') ?? {};
    insertDoc(ctx.state.catalog.getOrCreate(db, coll), doc);
    counts.nInserted++;
    return { ok: 1, idx, n: 1 };
  }
  if (kind === 'update') {
    const res = runUpdate(target, coll, {
      q: op.filter,
      u: op.updateMods,
      multi: op.multi === true,
      upsert: op.upsert === true,
      arrayFilters: op.arrayFilters,
      sort: op.sort,
      hint: op.hint,
    });
    const out: Doc = { ok: 1, idx, n: res.n, nModified: res.nModified };
    if (res.upsertedId !== undefined) {
      out.upserted = { _id: res.upsertedId };
      counts.nUpserted++;
    } else {
      counts.nMatched += res.n;
    }
    counts.nModified += res.nModified;
    return out;
  }
  if (kind === 'delete') {
    const existing = ctx.state.catalog.get(db, coll);
    checkHint(existing, op.hint);
    const n = deleteMatching(existing, docArg(op, 'filter') ?? {}, op.multi === true);
    counts.nDeleted += n;
    return { ok: 1, idx, n };
  }
  throw new CommandError(ErrorCode.FailedToParse, `Unrecognized bulkWrite operation: ${kind}`);
}

/** `bulkWrite` (MongoDB 8.0, used by MongoClient.bulkWrite): mixed writes across namespaces. */
const bulkWrite: CommandHandler = (ctx) => {
  const ops = arrayArg(ctx.body, 'ops');
  const nsInfo = arrayArg(ctx.body, 'nsInfo');
  const ordered = ctx.body.ordered !== false;
  const errorsOnly = ctx.body.errorsOnly === true;
  checkVariables(ctx.body.let, 'let on bulkWrite');
  for (const op of ops) {
    if (!isPlainObject(op)) continue;
    checkCollation(op.collation, 'bulkWrite operations');
    checkVariables(op.constants, 'constants on bulkWrite operations');
  }
  const counts: Counts = { nInserted: 0, nMatched: 0, nModified: 0, nUpserted: 0, nDeleted: 0 };
  const results: Doc[] = [];
  let nErrors = 0;
  for (let idx = 0; idx < ops.length; idx++) {
    const op = ops[idx];
    try {
      if (!isPlainObject(op))
        throw new CommandError(ErrorCode.TypeMismatch, 'bulkWrite operation must be an object');
      const res = runOp(ctx, op, nsInfo, idx, counts);
      if (!errorsOnly) results.push(res);
    } catch (err) {
      const e = toCommandError(err);
      nErrors++;
      results.push({
        ok: 0,
        idx,
        code: e.code,
        codeName: e.codeName,
        errmsg: e.message,
        ...e.extra,
        n: 0,
      });
      if (ordered) break;
    }
  }
  return {
    ...ctx.state.cursors.first(`${ctx.db}.$cmd.bulkWrite`, results, undefined),
    nErrors,
    ...counts,
    ok: 1,
  };
};

/** bulkWrite by name. */
export const bulkWriteCommands: Record<string, CommandHandler> = { bulkWrite };
