import { Types, type Connection, type Model } from 'mongoose';
import { creatorModel, type Creator, type CreatorRazorpay } from '../creators/creator.model.ts';
import { isObjectIdString } from '../db/object-id.ts';

/** A creator id with the (still encrypted) Razorpay credentials stored on it. */
export interface StoredRazorpayAccount {
  creatorId: string;
  razorpay: CreatorRazorpay;
}

/** Reads and writes `creators.razorpay`, the only place creators' gateway secrets live. */
export class RazorpayAccountRepository {
  private readonly model: Model<Creator>;

  constructor(conn: Connection) {
    this.model = creatorModel(conn);
  }

  /**
   * The creator's stored (encrypted) credentials: `undefined` when the creator does not exist,
   * `null` when it exists without credentials.
   */
  async find(creatorId: string): Promise<CreatorRazorpay | null | undefined> {
    if (!isObjectIdString(creatorId)) return undefined;
    const doc = await this.model
      .findById(creatorId, { razorpay: 1 })
      .select('+razorpay')
      .lean<{ razorpay?: CreatorRazorpay }>()
      .exec();
    if (!doc) return undefined;
    return doc.razorpay ?? null;
  }

  /** Stores credentials on the creator; false when the creator does not exist. */
  async save(creatorId: string, razorpay: CreatorRazorpay): Promise<boolean> {
    if (!isObjectIdString(creatorId)) return false;
    const res = await this.model
      .updateOne({ _id: new Types.ObjectId(creatorId) }, { $set: { razorpay } })
      .exec();
    return res.matchedCount === 1;
  }

  /** Removes the creator's credentials; false when there were none. */
  async remove(creatorId: string): Promise<boolean> {
    if (!isObjectIdString(creatorId)) return false;
    const res = await this.model
      .updateOne(
        { _id: new Types.ObjectId(creatorId), razorpay: { $exists: true } },
        { $unset: { razorpay: 1 } },
      )
      .exec();
    return res.modifiedCount === 1;
  }

  /** Up to `limit` creators with credentials whose id is above `afterId`, in id order. */
  async listAfter(afterId: string | undefined, limit: number): Promise<StoredRazorpayAccount[]> {
    const docs = await this.model
      .find(
        {
          razorpay: { $exists: true },
          ...(afterId === undefined ? {} : { _id: { $gt: new Types.ObjectId(afterId) } }),
        },
        { razorpay: 1 },
      )
      .select('+razorpay')
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Array<{ _id: Types.ObjectId; razorpay: CreatorRazorpay }>>()
      .exec();
    return docs.map((d) => ({ creatorId: String(d._id), razorpay: d.razorpay }));
  }

  /**
   * Replaces the encrypted secrets only if they are still `expected` (a concurrent reconnect
   * wins over a rotation). Returns whether the write happened.
   */
  async replaceSecrets(
    creatorId: string,
    expected: Pick<CreatorRazorpay, 'keySecretEnc' | 'webhookSecretEnc'>,
    next: Pick<CreatorRazorpay, 'keySecretEnc' | 'webhookSecretEnc'>,
  ): Promise<boolean> {
    const res = await this.model
      .updateOne(
        {
          _id: new Types.ObjectId(creatorId),
          'razorpay.keySecretEnc': expected.keySecretEnc,
          'razorpay.webhookSecretEnc': expected.webhookSecretEnc,
        },
        {
          $set: {
            'razorpay.keySecretEnc': next.keySecretEnc,
            'razorpay.webhookSecretEnc': next.webhookSecretEnc,
          },
        },
      )
      .exec();
    return res.modifiedCount === 1;
  }
}
