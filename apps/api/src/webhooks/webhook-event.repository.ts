import type { Connection, Model } from 'mongoose';
import { webhookEventModel, type WebhookEvent } from '@storefront/shared';

/** The inbox insert either stored the event or found it already there. */
export type InboxInsertResult = 'inserted' | 'duplicate';

/** Writes received events into the `webhook_events` inbox. */
export class WebhookEventRepository {
  private readonly model: Model<WebhookEvent>;

  constructor(conn: Connection) {
    this.model = webhookEventModel(conn);
  }

  /**
   * Inserts a new event (`received`, no attempts yet). The event id is `_id`, so a redelivery hits
   * the unique index and reports `duplicate`; every other failure is thrown.
   */
  async insert(
    event: Pick<WebhookEvent, '_id' | 'account' | 'event' | 'payload'>,
  ): Promise<InboxInsertResult> {
    const now = new Date();
    const doc: WebhookEvent = {
      ...event,
      status: 'received',
      attempts: 0,
      receivedAt: now,
      updatedAt: now,
    };
    try {
      // Straight to the driver: this is the hottest write we have and the document is built here.
      await this.model.collection.insertOne(doc as never);
      return 'inserted';
    } catch (err) {
      if ((err as { code?: unknown }).code === 11000) return 'duplicate';
      throw err;
    }
  }
}
