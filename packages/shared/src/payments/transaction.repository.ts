import type { Connection, Model } from 'mongoose';
import {
  batched,
  insertEachIfAbsent,
  insertEachValidated,
  SAME_TICK,
  type BatchOptions,
} from '../db/batcher.ts';
import { transactionModel, type Transaction } from './transaction.model.ts';

/** A log entry as written; `createdAt` is set on insert. */
export type NewTransaction = Omit<Transaction, '_id' | 'createdAt'>;

/** The only code that writes `transactions`: an append-only log of gateway interactions. */
export class TransactionRepository {
  private readonly model: Model<Transaction>;
  private readonly recordOnce: (entry: NewTransaction & { dedupeKey: string }) => Promise<void>;
  private readonly append: (entry: NewTransaction) => Promise<void>;

  /** `batch`: how concurrent entries share one insert (with a `dedupeKey`: one bulk write). */
  constructor(conn: Connection, batch: BatchOptions = SAME_TICK) {
    this.model = transactionModel(conn);
    // Through mongoose, not the driver: `error` passes the card-number masking setter.
    this.append = batched<NewTransaction, void>(async (entries) => {
      const results = await insertEachValidated(this.model, entries);
      return results.map((r) => (r instanceof Error ? r : undefined));
    }, batch);
    this.recordOnce = batched<NewTransaction & { dedupeKey: string }, void>(async (entries) => {
      const createdAt = new Date();
      // Unordered: one entry's failure does not stop the others; each upsert with a key already
      // stored (by an earlier batch or earlier in this one) is a no-op.
      return insertEachIfAbsent(
        this.model.collection,
        entries.map((entry) => ({ ...entry, createdAt })),
        (entry) => ({ dedupeKey: entry.dedupeKey }),
      );
    }, batch);
  }

  /**
   * Appends an entry. With a `dedupeKey` (e.g. `paid:<orderId>`) the unique index makes a second
   * write of the same entry a no-op, so "exactly once" entries survive retries and races.
   */
  async record(entry: NewTransaction): Promise<void> {
    if (entry.dedupeKey === undefined) {
      await this.append(entry);
      return;
    }
    await this.recordOnce(entry as NewTransaction & { dedupeKey: string });
  }

  /** Appends entries, as `record` would each (concurrent ones share a bulk write). */
  async recordMany(entries: NewTransaction[]): Promise<void> {
    await Promise.all(entries.map((entry) => this.record(entry)));
  }
}
