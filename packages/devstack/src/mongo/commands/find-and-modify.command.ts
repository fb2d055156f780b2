import { CommandError, ErrorCode } from '../errors.ts';
import { project } from '../query/projection.ts';
import { applyUpdate, buildUpsert } from '../query/update.ts';
import type { Doc } from '../storage/key-encoding.ts';
import { collectionArg, docArg, type CommandHandler } from './command.types.ts';
import { checkCollation, checkHint, checkVariables } from './unsupported-options.ts';
import { matchForWrite } from './write.commands.ts';

function shape(doc: Doc | null, fields: unknown, filter: Doc): Doc | null {
  if (!doc) return null;
  return project([doc], fields, filter)[0] ?? null;
}

/**
 * `findAndModify`: find (with sort), then update or remove, in one synchronous step so it can
 * serve as a claim/lock primitive.
 */
const findAndModify: CommandHandler = (ctx) => {
  const name = collectionArg(ctx);
  const b = ctx.body;
  checkCollation(b.collation, 'findAndModify');
  checkVariables(b.let, 'let on findAndModify');
  const filter = docArg(b, 'query') ?? {};
  const remove = b.remove === true;
  const hasUpdate = b.update !== undefined && b.update !== null;
  if (remove && hasUpdate)
    throw new CommandError(
      ErrorCode.FailedToParse,
      'Cannot specify both an update and remove=true',
    );
  if (!remove && !hasUpdate)
    throw new CommandError(
      ErrorCode.FailedToParse,
      'Either an update or remove=true must be specified',
    );
  if (remove && b.upsert === true)
    throw new CommandError(
      ErrorCode.FailedToParse,
      'Cannot specify both upsert=true and remove=true',
    );
  const arrayFilters = Array.isArray(b.arrayFilters) ? (b.arrayFilters as Doc[]) : undefined;
  const existing = ctx.state.catalog.get(ctx.db, name);
  checkHint(existing, b.hint);
  const rec = matchForWrite(existing, filter, false, b.sort)[0];

  if (remove) {
    if (rec) existing?.remove(rec);
    return {
      lastErrorObject: { n: rec ? 1 : 0 },
      value: shape(rec?.doc ?? null, b.fields, filter),
      ok: 1,
    };
  }
  if (rec && existing) {
    const before = rec.doc;
    const out = applyUpdate(before, b.update, { filter, arrayFilters });
    if (out.modified) existing.replace(rec, out.doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: shape(b.new === true ? out.doc : before, b.fields, filter),
      ok: 1,
    };
  }
  if (b.upsert === true) {
    const doc = buildUpsert(filter, b.update, arrayFilters);
    ctx.state.catalog.getOrCreate(ctx.db, name).insert(doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      value: b.new === true ? shape(doc, b.fields, filter) : null,
      ok: 1,
    };
  }
  return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
};

/** findAndModify under both spellings mongod accepts. */
export const findAndModifyCommands: Record<string, CommandHandler> = {
  findAndModify,
  findandmodify: findAndModify,
};
