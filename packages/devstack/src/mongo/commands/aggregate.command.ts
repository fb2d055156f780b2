import { ObjectId } from 'bson';
import { Aggregator } from 'mingo';
import { CommandError, ErrorCode, notSupported } from '../errors.ts';
import { cloneDoc } from '../query/update.ts';
import { isPlainObject, type Doc } from '../storage/key-encoding.ts';
import { arrayArg, num, type CommandHandler } from './command.types.ts';
import { checkCollation, checkHint } from './unsupported-options.ts';

function stageName(stage: Doc): string {
  return Object.keys(stage)[0] ?? '';
}

// Stages that never write into their input documents. mingo mutates inputs in others (nested
// $project/$unset/$set...), so for those the stored documents are copied first.
const NON_MUTATING = new Set([
  '$match',
  '$group',
  '$sort',
  '$limit',
  '$skip',
  '$count',
  '$sortByCount',
  '$unwind',
  '$sample',
]);

/**
 * `aggregate`: a leading `$match` is answered through the collection's indexes, the rest of the
 * pipeline runs in mingo; a final `$out` replaces the target collection.
 */
const aggregate: CommandHandler = (ctx) => {
  const target = ctx.body.aggregate;
  const pipeline = [...arrayArg(ctx.body, 'pipeline')];
  checkCollation(ctx.body.collation, 'aggregate');
  // The driver's explain() sends this; running the pipeline instead would answer with documents.
  if (ctx.body.explain === true) throw notSupported('aggregate explain');
  if (!isPlainObject(ctx.body.cursor) && ctx.body.explain !== true) {
    throw new CommandError(
      ErrorCode.FailedToParse,
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  }
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new CommandError(
        40323,
        'A pipeline stage specification object must contain exactly one field.',
      );
    }
  }
  const catalog = ctx.state.catalog;
  let source: Doc[] = [];
  let ns: string;
  if (typeof target === 'string') {
    ns = `${ctx.db}.${target}`;
    const coll = catalog.get(ctx.db, target);
    checkHint(coll, ctx.body.hint);
    const first = pipeline[0];
    if (coll && first && stageName(first) === '$match' && isPlainObject(first.$match)) {
      source = coll.find(first.$match).map((r) => r.doc);
      pipeline.shift();
    } else if (coll) {
      source = [...coll.records.values()].map((r) => r.doc);
    }
  } else if (Number(target) === 1) {
    ns = `${ctx.db}.$cmd.aggregate`;
  } else {
    throw new CommandError(ErrorCode.FailedToParse, "Invalid 'aggregate' field");
  }

  let outTarget: { db: string; coll: string } | null = null;
  const last = pipeline[pipeline.length - 1];
  if (last && stageName(last) === '$out') {
    const spec = last.$out;
    if (typeof spec === 'string') outTarget = { db: ctx.db, coll: spec };
    else if (isPlainObject(spec) && typeof spec.coll === 'string') {
      outTarget = { db: typeof spec.db === 'string' ? spec.db : ctx.db, coll: spec.coll };
    } else {
      throw new CommandError(ErrorCode.FailedToParse, '$out requires a collection name');
    }
    pipeline.pop();
  }
  pipeline.forEach((s, i) => {
    const stage = stageName(s);
    if (stage !== '$out' && stage !== '$merge') return;
    if (stage === '$merge' && i === pipeline.length - 1) throw notSupported('$merge');
    throw new CommandError(40601, `${stage} can only be the final stage in the pipeline`);
  });

  const copy = !pipeline.every((s) => NON_MUTATING.has(stageName(s)));
  if (copy) source = source.map(cloneDoc);
  let results: Doc[];
  try {
    const agg = new Aggregator(pipeline, {
      collectionResolver: (name: string) =>
        [...(catalog.get(ctx.db, name)?.records.values() ?? [])].map((r) => cloneDoc(r.doc)),
      ...(isPlainObject(ctx.body.let) ? { variables: ctx.body.let } : {}),
    });
    results = agg.run<Doc>(source);
  } catch (err) {
    throw new CommandError(
      ErrorCode.InvalidPipelineOperator,
      err instanceof Error ? err.message : String(err),
    );
  }

  if (outTarget) {
    const existing = catalog.get(outTarget.db, outTarget.coll);
    const dest = existing ?? catalog.create(outTarget.db, outTarget.coll);
    dest.clear();
    for (const doc of results)
      dest.insert(doc._id === undefined ? { _id: new ObjectId(), ...doc } : doc);
    results = [];
  }
  const cursorOpt = isPlainObject(ctx.body.cursor) ? ctx.body.cursor : {};
  const batchSize = cursorOpt.batchSize === undefined ? undefined : num(cursorOpt.batchSize, 101);
  return { ...ctx.state.cursors.first(ns, results, batchSize), ok: 1 };
};

/** Aggregation commands by name. */
export const aggregateCommands: Record<string, CommandHandler> = { aggregate };
