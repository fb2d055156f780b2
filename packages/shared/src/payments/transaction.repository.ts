import type { Connection, Model } from 'mongoose';
import { transactionModel, type Transaction } from './transaction.model.ts';

/** A log entry as written; `createdAt` is set on insert. */
export type NewTransaction = Omit<Transaction, '_id' | 'createdAt'>;

/** The only code that writes `transactions`: an append-only log of gateway interactions. */
export class TransactionRepository {
  private readonly model: Model<Transaction>;

  constructor(conn: Connection) {
    this.model = transactionModel(conn);
  }

  /**
   * Appends an entry. With a `dedupeKey` (e.g. `paid:<orderId>`) the unique index makes a second
   * write of the same entry a no-op, so "exactly once" entries survive retries and races.
   */
  async record(entry: NewTransaction): Promise<void> {
    if (entry.dedupeKey === undefined) {
      await this.model.create(entry);
      return;
    }
    await this.model.updateOne(
      { dedupeKey: entry.dedupeKey },
      { $setOnInsert: { ...entry, createdAt: new Date() } },
      { upsert: true, timestamps: false },
    );
  }
}
