import { CommandError, ErrorCode } from '../errors.ts';
import { assertCollectionName, Collection } from './collection.store.ts';
import type { Doc } from './key-encoding.ts';

/** All databases of one server: database name → collection name → collection. */
export class Catalog {
  private readonly dbs = new Map<string, Map<string, Collection>>();

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** The collection, created implicitly (as inserts, upserts and createIndexes do). */
  getOrCreate(db: string, name: string): Collection {
    return this.get(db, name) ?? this.create(db, name);
  }

  create(db: string, name: string, options: Doc = {}): Collection {
    assertCollectionName(name);
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    if (colls.has(name)) {
      throw new CommandError(ErrorCode.NamespaceExists, `Collection ${db}.${name} already exists.`);
    }
    const coll = new Collection(db, name, options);
    colls.set(name, coll);
    return coll;
  }

  drop(db: string, name: string): Collection | undefined {
    const colls = this.dbs.get(db);
    const coll = colls?.get(name);
    if (!colls || !coll) return undefined;
    colls.delete(name);
    if (colls.size === 0) this.dbs.delete(db);
    return coll;
  }

  /** Renames a collection in place, keeping its documents and indexes. */
  rename(fromDb: string, from: string, toDb: string, to: string): void {
    const coll = this.get(fromDb, from);
    if (!coll)
      throw new CommandError(ErrorCode.NamespaceNotFound, 'source namespace does not exist');
    const target = this.create(toDb, to, coll.options);
    for (const idx of coll.indexes.values()) target.addIndex({ ...idx.spec });
    for (const rec of coll.records.values()) target.insert(rec.doc);
    this.drop(fromDb, from);
  }

  dropDatabase(db: string): boolean {
    return this.dbs.delete(db);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  databaseNames(): string[] {
    return [...this.dbs.keys()];
  }

  /** Runs TTL expiry over every collection. */
  expire(now: number): number {
    let removed = 0;
    for (const colls of this.dbs.values()) for (const c of colls.values()) removed += c.expire(now);
    return removed;
  }
}
