import { ObjectId } from 'bson';
import { updateOne } from 'mingo';
import type { Modifier, PipelineStage } from 'mingo/updater';
import { CommandError, ErrorCode } from '../errors.ts';
import { assertUpsertableId } from '../storage/id-field.ts';
import { encodeKey, isPlainObject, setPath, type Doc } from '../storage/key-encoding.ts';
import { fastApply, fastCandidate } from './fast-update.ts';

/** Result of applying an update to one document. */
export interface UpdateOutcome {
  doc: Doc;
  modified: boolean;
}

/** Deep-copies plain objects and arrays; BSON values are treated as immutable and shared. */
export function cloneDoc<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneDoc) as T;
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) out[k] = cloneDoc(v[k]);
    return out as T;
  }
  return v;
}

/** Whether an update document uses operators (`$set`…) rather than being a replacement. */
export function isOperatorUpdate(u: unknown): boolean {
  if (!isPlainObject(u)) return false;
  const first = Object.keys(u)[0];
  return first !== undefined && first.startsWith('$');
}

function immutableId(): CommandError {
  return new CommandError(
    ErrorCode.ImmutableField,
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );
}

/** Puts `_id` first, as mongod stores it. */
export function idFirst(doc: Doc): Doc {
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

interface ApplyOptions {
  filter: Doc;
  arrayFilters?: Doc[] | undefined;
  /** True when the update builds a new upserted document ($setOnInsert applies, _id may be set). */
  inserting?: boolean;
}

/**
 * Applies an update (operators, replacement or pipeline) to a copy of `doc`; the stored
 * document is never mutated so cursors and concurrent readers keep a consistent snapshot.
 */
export function applyUpdate(doc: Doc, update: unknown, opts: ApplyOptions): UpdateOutcome {
  let next: Doc;
  let modified: boolean;
  if (Array.isArray(update)) {
    const docs = [cloneDoc(doc)];
    const res = runMingo(() =>
      updateOne(
        docs,
        {},
        update as PipelineStage[],
        opts.arrayFilters ? { arrayFilters: opts.arrayFilters } : {},
      ),
    );
    next = docs[0] as Doc;
    modified = res.modifiedCount > 0;
  } else if (isOperatorUpdate(update)) {
    const modifier = normaliseModifier(update as Doc, opts.inserting === true);
    if (Object.keys(modifier).length === 0) return { doc, modified: false };
    next = cloneDoc(doc);
    if (!opts.arrayFilters?.length && fastCandidate(modifier)) {
      const fast = fastApply(next, modifier);
      if (fast !== null) {
        if (!opts.inserting && encodeKey(next._id) !== encodeKey(doc._id)) throw immutableId();
        return { doc: next, modified: fast };
      }
      // fastApply declined part-way: the copy may be changed already, so start from a fresh one.
      next = cloneDoc(doc);
    }
    const positional = Object.values(modifier).some((v) =>
      Object.keys(v as Doc).some((k) => k.endsWith('.$') || k.includes('.$.')),
    );
    const docs = [next];
    const res = runMingo(() =>
      updateOne(docs, positional ? opts.filter : {}, modifier as Modifier<Doc>, {
        ...(opts.arrayFilters ? { arrayFilters: opts.arrayFilters } : {}),
        cloneMode: 'copy',
      }),
    );
    next = docs[0] as Doc;
    modified = res.modifiedCount > 0;
  } else if (isPlainObject(update)) {
    for (const k of Object.keys(update)) {
      if (k.startsWith('$')) {
        throw new CommandError(
          ErrorCode.DollarPrefixedFieldName,
          `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document.`,
        );
      }
    }
    const { _id, ...rest } = update;
    if (_id !== undefined && !opts.inserting && encodeKey(_id) !== encodeKey(doc._id))
      throw immutableId();
    next = { _id: _id !== undefined ? _id : doc._id, ...rest };
    if (next._id === undefined) delete next._id;
    modified = encodeKey(next) !== encodeKey(doc);
  } else {
    throw new CommandError(
      ErrorCode.FailedToParse,
      'Update argument must be either an object or an array',
    );
  }
  if (!opts.inserting && encodeKey(next._id) !== encodeKey(doc._id)) throw immutableId();
  return { doc: next, modified };
}

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$setOnInsert',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$currentDate',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$bit',
]);

function normaliseModifier(update: Doc, inserting: boolean): Doc {
  const out: Doc = {};
  for (const [op, spec] of Object.entries(update)) {
    if (!UPDATE_OPERATORS.has(op)) {
      throw new CommandError(
        ErrorCode.FailedToParse,
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!isPlainObject(spec)) {
      throw new CommandError(
        ErrorCode.FailedToParse,
        `Modifiers operate on fields but we found type ${Array.isArray(spec) ? 'array' : typeof spec} instead. For example: {$mod: {<field>: ...}} not {${op}: ${String(spec)}}`,
      );
    }
    if (op === '$setOnInsert') {
      if (inserting) out.$set = { ...(out.$set as Doc | undefined), ...spec };
      continue;
    }
    if (op === '$set') {
      out.$set = { ...(out.$set as Doc | undefined), ...spec };
      continue;
    }
    out[op] = spec;
  }
  for (const op of Object.keys(out)) if (Object.keys(out[op] as Doc).length === 0) delete out[op];
  return out;
}

function runMingo<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CommandError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/immutable field/i.test(message)) throw immutableId();
    if (/Unknown update operator/i.test(message)) {
      throw new CommandError(ErrorCode.FailedToParse, message);
    }
    throw new CommandError(ErrorCode.BadValue, message);
  }
}

/** The equality fields of a filter, as the base of an upserted document. */
export function upsertBase(filter: Doc, out: Doc = {}): Doc {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) upsertBase(sub, out);
      continue;
    }
    if (k.startsWith('$')) continue;
    if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (keys.length > 0 && (keys[0] as string).startsWith('$')) {
        if ('$eq' in v) setPath(out, k, cloneDoc(v.$eq));
        else if (Array.isArray(v.$in) && v.$in.length === 1) setPath(out, k, cloneDoc(v.$in[0]));
        continue;
      }
    }
    if (v instanceof RegExp) continue;
    setPath(out, k, cloneDoc(v));
  }
  return out;
}

/** Builds the document an upsert inserts: filter equalities, then the update applied to them. */
export function buildUpsert(filter: Doc, update: unknown, arrayFilters?: Doc[]): Doc {
  let doc: Doc;
  if (Array.isArray(update) || isOperatorUpdate(update)) {
    doc = applyUpdate(upsertBase(filter), update, { filter, arrayFilters, inserting: true }).doc;
  } else {
    const base = upsertBase(filter);
    doc = applyUpdate({}, update, { filter, inserting: true }).doc;
    if (doc._id === undefined && base._id !== undefined) doc = { _id: base._id, ...doc };
  }
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  else assertUpsertableId(doc._id);
  return idFirst(doc);
}
