import { CommandError, ErrorCode } from '../errors.ts';
import type { Collection } from '../storage/collection.store.ts';
import type { IndexSpec } from '../storage/index.store.ts';
import { encodeKey, isPlainObject, type Doc } from '../storage/key-encoding.ts';
import { collectionArg, type CommandHandler } from './command.types.ts';
import { checkCollation, checkIndexKeyType } from './unsupported-options.ts';

// Options that make two indexes with the same key pattern different indexes (or conflicting).
const COMPARED_OPTIONS = [
  'unique',
  'sparse',
  'expireAfterSeconds',
  'partialFilterExpression',
  'collation',
  'hidden',
];
// Options accepted and dropped, as mongod does with the legacy ones.
const IGNORED_OPTIONS = new Set(['background', 'ns', 'dropDups', 'safe']);

/** The name mongod generates for a key pattern (`a_1_b_-1`). */
export function defaultIndexName(key: Doc): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join('_');
}

function normaliseSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw) || !isPlainObject(raw.key) || Object.keys(raw.key).length === 0) {
    throw new CommandError(
      ErrorCode.FailedToParse,
      'The index spec must contain a non-empty key document',
    );
  }
  for (const v of Object.values(raw.key)) {
    const ok =
      (typeof v === 'number' && v !== 0) ||
      typeof v === 'string' ||
      (typeof v === 'object' && v !== null);
    if (!ok)
      throw new CommandError(
        ErrorCode.CannotCreateIndex,
        `Values in the index key pattern must be non-zero numbers or strings`,
      );
    checkIndexKeyType(v);
  }
  const spec: IndexSpec = {
    v: 2,
    key: raw.key,
    name: typeof raw.name === 'string' ? raw.name : defaultIndexName(raw.key),
  };
  // The simple collation is the default: mongod lists such an index without one.
  checkCollation(raw.collation, 'indexes');
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'key' || k === 'name' || k === 'v' || k === 'collation' || IGNORED_OPTIONS.has(k))
      continue;
    if ((k === 'unique' || k === 'sparse') && v !== true) continue;
    spec[k] = k === 'expireAfterSeconds' ? Number(v) : v;
  }
  return spec;
}

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  return COMPARED_OPTIONS.every((o) => encodeKey(a[o]) === encodeKey(b[o]));
}

function describe(spec: IndexSpec): string {
  return JSON.stringify(spec);
}

/** Whether `spec` already exists (true), or is new (false); throws mongod's conflict errors. */
function checkExisting(coll: Collection, spec: IndexSpec): boolean {
  const keyEnc = encodeKey(spec.key);
  for (const existing of coll.indexSpecs()) {
    const sameKey = encodeKey(existing.key) === keyEnc;
    if (existing.name === spec.name) {
      if (!sameKey) {
        throw new CommandError(
          ErrorCode.IndexKeySpecsConflict,
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${describe(spec)}, existing index: ${describe(existing)}`,
        );
      }
      if (!sameOptions(existing, spec)) {
        throw new CommandError(
          ErrorCode.IndexOptionsConflict,
          `An equivalent index already exists with the same name but different options. Requested index: ${describe(spec)}, existing index: ${describe(existing)}`,
        );
      }
      return true;
    }
    if (
      sameKey &&
      encodeKey(existing.partialFilterExpression) === encodeKey(spec.partialFilterExpression)
    ) {
      if (sameOptions(existing, spec)) {
        throw new CommandError(
          ErrorCode.IndexOptionsConflict,
          `Index already exists with a different name: ${existing.name}`,
        );
      }
      throw new CommandError(
        ErrorCode.IndexOptionsConflict,
        `An existing index has the same name as the requested index. Requested index: ${describe(spec)}, existing index: ${describe(existing)}`,
      );
    }
  }
  return false;
}

/** `createIndexes`: creates missing indexes; an equivalent existing index is not an error. */
const createIndexes: CommandHandler = (ctx) => {
  const name = collectionArg(ctx);
  if (!Array.isArray(ctx.body.indexes) || ctx.body.indexes.length === 0) {
    throw new CommandError(ErrorCode.BadValue, 'Must specify at least one index to create');
  }
  const specs = ctx.body.indexes.map(normaliseSpec);
  const catalog = ctx.state.catalog;
  const created = !catalog.get(ctx.db, name);
  const coll = catalog.getOrCreate(ctx.db, name);
  const before = coll.indexSpecs().length;
  const fresh = specs.filter((s) => !checkExisting(coll, s));
  for (const spec of fresh) {
    if (spec.name === '_id_') continue;
    coll.addIndex(spec);
  }
  const reply: Doc = { numIndexesBefore: before, numIndexesAfter: coll.indexSpecs().length };
  if (created) reply.createdCollectionAutomatically = true;
  else reply.createdCollectionAutomatically = false;
  if (fresh.length === 0) reply.note = 'all indexes already exist';
  reply.ok = 1;
  return reply;
};

/** `listIndexes`: a cursor over the index specs. */
const listIndexes: CommandHandler = (ctx) => {
  const name = collectionArg(ctx);
  const coll = ctx.state.catalog.get(ctx.db, name);
  if (!coll)
    throw new CommandError(ErrorCode.NamespaceNotFound, `ns does not exist: ${ctx.db}.${name}`);
  return { ...ctx.state.cursors.first(`${ctx.db}.${name}`, coll.indexSpecs(), undefined), ok: 1 };
};

/** `dropIndexes`: by name, key pattern, list of names, or `*`. */
const dropIndexes: CommandHandler = (ctx) => {
  const name = collectionArg(ctx);
  const coll = ctx.state.catalog.get(ctx.db, name);
  if (!coll) throw new CommandError(ErrorCode.NamespaceNotFound, `ns not found ${ctx.db}.${name}`);
  const was = coll.indexSpecs().length;
  const target = ctx.body.index;
  let names: string[];
  if (target === '*') {
    names = [...coll.indexes.keys()];
  } else if (typeof target === 'string') {
    names = [target];
  } else if (Array.isArray(target)) {
    names = target.map(String);
  } else if (isPlainObject(target)) {
    const enc = encodeKey(target);
    const found = coll.indexSpecs().find((s) => encodeKey(s.key) === enc);
    if (!found)
      throw new CommandError(
        ErrorCode.IndexNotFound,
        `can't find index with key: ${JSON.stringify(target)}`,
      );
    names = [found.name];
  } else {
    throw new CommandError(
      ErrorCode.TypeMismatch,
      "BSON field 'dropIndexes.index' is missing or of the wrong type",
    );
  }
  for (const n of names) {
    if (n === '_id_') throw new CommandError(ErrorCode.InvalidOptions, 'cannot drop _id index');
    if (!coll.indexes.has(n))
      throw new CommandError(ErrorCode.IndexNotFound, `index not found with name [${n}]`);
  }
  for (const n of names) coll.indexes.delete(n);
  return { nIndexesWas: was, ok: 1 };
};

/** Index commands by name. */
export const indexCommands: Record<string, CommandHandler> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
};
