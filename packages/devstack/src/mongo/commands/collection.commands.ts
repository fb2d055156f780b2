import { calculateObjectSize } from 'bson';
import { CommandError, ErrorCode } from '../errors.ts';
import type { Collection } from '../storage/collection.store.ts';
import type { Doc } from '../storage/key-encoding.ts';
import { collectionArg, type CommandHandler } from './command.types.ts';
import { createOptions } from './unsupported-options.ts';
import { filterDocs } from './find.commands.ts';

function collectionInfo(c: Collection): Doc {
  return {
    name: c.name,
    type: 'collection',
    options: c.options,
    info: { readOnly: false, uuid: c.uuid },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  };
}

/** `listCollections`: filter and nameOnly. */
const listCollections: CommandHandler = (ctx) => {
  const nameOnly = ctx.body.nameOnly === true;
  const infos = ctx.state.catalog
    .collections(ctx.db)
    .map((c) => (nameOnly ? { name: c.name, type: 'collection' } : collectionInfo(c)));
  const docs = filterDocs(infos, ctx.body.filter);
  return { ...ctx.state.cursors.first(`${ctx.db}.$cmd.listCollections`, docs, undefined), ok: 1 };
};

/** `create`: explicit collection creation (NamespaceExists when present). */
const create: CommandHandler = (ctx) => {
  const name = collectionArg(ctx);
  const options: Doc = {};
  for (const [k, v] of Object.entries(ctx.body)) {
    if (
      k === 'create' ||
      k.startsWith('$') ||
      k === 'lsid' ||
      k === 'writeConcern' ||
      k === 'txnNumber'
    )
      continue;
    options[k] = v;
  }
  ctx.state.catalog.create(ctx.db, name, createOptions(options));
  return { ok: 1 };
};

/** `drop`: dropping a missing collection succeeds, as on mongod 7+. */
const drop: CommandHandler = (ctx) => {
  const name = collectionArg(ctx);
  const dropped = ctx.state.catalog.drop(ctx.db, name);
  return dropped ? { nIndexesWas: dropped.indexSpecs().length, ns: dropped.ns, ok: 1 } : { ok: 1 };
};

const dropDatabase: CommandHandler = (ctx) => {
  ctx.state.catalog.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
};

/** Sum of the BSON sizes of a collection's documents. */
function dataSize(c: Collection): number {
  let n = 0;
  for (const r of c.records.values()) n += calculateObjectSize(r.doc);
  return n;
}

/** `listDatabases`: databases holding at least one collection. */
const listDatabases: CommandHandler = (ctx) => {
  const catalog = ctx.state.catalog;
  const nameOnly = ctx.body.nameOnly === true;
  let total = 0;
  const databases = catalog.databaseNames().map((name) => {
    if (nameOnly) return { name };
    const size = catalog.collections(name).reduce((s, c) => s + dataSize(c), 0);
    total += size;
    return { name, sizeOnDisk: size, empty: size === 0 };
  });
  const filtered = filterDocs(databases, ctx.body.filter);
  return nameOnly
    ? { databases: filtered, ok: 1 }
    : { databases: filtered, totalSize: total, totalSizeMb: Math.round(total / 1048576), ok: 1 };
};

function splitNs(ns: unknown): [string, string] {
  if (typeof ns !== 'string' || !ns.includes('.'))
    throw new CommandError(
      ErrorCode.InvalidNamespace,
      `Invalid namespace specified '${String(ns)}'`,
    );
  const i = ns.indexOf('.');
  return [ns.slice(0, i), ns.slice(i + 1)];
}

/** `renameCollection` (admin): keeps documents and indexes; dropTarget replaces the target. */
const renameCollection: CommandHandler = (ctx) => {
  const [fromDb, from] = splitNs(ctx.body.renameCollection);
  const [toDb, to] = splitNs(ctx.body.to);
  const catalog = ctx.state.catalog;
  if (!catalog.get(fromDb, from))
    throw new CommandError(ErrorCode.NamespaceNotFound, 'source namespace does not exist');
  if (catalog.get(toDb, to)) {
    if (ctx.body.dropTarget !== true)
      throw new CommandError(ErrorCode.NamespaceExists, 'target namespace exists');
    catalog.drop(toDb, to);
  }
  catalog.rename(fromDb, from, toDb, to);
  return { ok: 1 };
};

/** `dbStats`: counts only. */
const dbStats: CommandHandler = (ctx) => {
  const colls = ctx.state.catalog.collections(ctx.db);
  const objects = colls.reduce((s, c) => s + c.size, 0);
  const size = colls.reduce((s, c) => s + dataSize(c), 0);
  const indexes = colls.reduce((s, c) => s + c.indexSpecs().length, 0);
  return {
    db: ctx.db,
    collections: colls.length,
    views: 0,
    objects,
    avgObjSize: objects ? size / objects : 0,
    dataSize: size,
    storageSize: size,
    indexes,
    indexSize: 0,
    totalSize: size,
    scaleFactor: 1,
    ok: 1,
  };
};

/** `collStats` (deprecated in mongod, still used by some tools): counts only. */
const collStats: CommandHandler = (ctx) => {
  const name = collectionArg(ctx);
  const c = ctx.state.catalog.get(ctx.db, name);
  if (!c)
    throw new CommandError(
      ErrorCode.NamespaceNotFound,
      `Collection [${ctx.db}.${name}] not found.`,
    );
  const size = dataSize(c);
  return {
    ns: c.ns,
    count: c.size,
    size,
    storageSize: size,
    nindexes: c.indexSpecs().length,
    totalIndexSize: 0,
    ok: 1,
  };
};

/** Collection and database commands by name. */
export const collectionCommands: Record<string, CommandHandler> = {
  listCollections,
  create,
  drop,
  dropDatabase,
  listDatabases,
  renameCollection,
  dbStats,
  collStats,
};
