import { Types, type Connection, type Model } from 'mongoose';
import { batched, inKeyOrder, SAME_TICK, type BatchOptions } from '../db/batcher.ts';
import { isObjectIdString } from '../db/object-id.ts';
import type { ImageRef } from '../images/image-ref.model.ts';
import {
  MAX_PRODUCTS_PER_CREATOR,
  productModel,
  type Product,
  type ProductFile,
  type ProductStatus,
} from './product.model.ts';

/** The fields of an active product anyone may see on the storefront. */
export interface PublicProduct {
  _id: Types.ObjectId;
  title: string;
  description: string;
  price: number;
  currency: 'INR';
  coverImageUrl?: string;
  image?: ImageRef;
}

/** A product as its creator sees it (everything but the deletion marker). */
export type OwnProduct = Omit<Product, 'deletedAt'>;

export interface NewProduct {
  title: string;
  description?: string;
  price: number;
  status?: ProductStatus;
  position?: number;
  coverImageUrl?: string;
}

/** Editable product fields; `coverImageUrl: null` removes the cover image. */
export interface ProductPatch {
  title?: string;
  description?: string;
  price?: number;
  status?: ProductStatus;
  position?: number;
  coverImageUrl?: string | null;
}

const PUBLIC_FIELDS = {
  title: 1,
  description: 1,
  price: 1,
  currency: 1,
  coverImageUrl: 1,
  image: 1,
} as const;
const NOT_DELETED = { deletedAt: null };

/** Reads and writes `products`; every method returns plain objects. */
export class ProductRepository {
  private readonly model: Model<Product>;
  private readonly fileById: (id: Types.ObjectId) => Promise<ProductFile | null>;
  private readonly activeById: (id: Types.ObjectId) => Promise<Product | null>;

  /**
   * `batch`: how concurrent `fileOf` reads (deliveries) and `findActiveById` reads (checkouts)
   * share one query.
   */
  constructor(conn: Connection, batch: BatchOptions = SAME_TICK) {
    this.model = productModel(conn);
    // A drop's checkouts all read the same product: the ones a process starts in the same tick
    // share one query, read from the database as a single one would be (nothing is cached).
    this.activeById = batched(async (ids) => {
      const docs = await this.model.collection
        .find<Product>({ _id: { $in: [...ids] }, status: 'active', ...NOT_DELETED })
        .toArray();
      return inKeyOrder(ids.map(String), docs, (d) => String(d._id));
    }, batch);
    this.fileById = batched(async (ids) => {
      const docs = await this.model
        .find({ _id: { $in: [...ids] } }, { file: 1 })
        .lean<Array<{ _id: Types.ObjectId; file?: ProductFile }>>()
        .exec();
      return inKeyOrder(ids.map(String), docs, (d) => String(d._id)).map((d) => d?.file ?? null);
    }, batch);
  }

  /** A creator's active products in storefront order (position, then creation). */
  async listActiveForStore(creatorId: Types.ObjectId): Promise<PublicProduct[]> {
    return this.model
      .find({ creatorId, status: 'active' }, PUBLIC_FIELDS)
      .sort({ position: 1, _id: 1 })
      .limit(MAX_PRODUCTS_PER_CREATOR)
      .lean<PublicProduct[]>()
      .exec();
  }

  /** Every product a creator has not deleted, in storefront order. */
  async listForOwner(creatorId: string): Promise<OwnProduct[]> {
    return this.model
      .find({ creatorId: new Types.ObjectId(creatorId), ...NOT_DELETED }, { deletedAt: 0 })
      .sort({ position: 1, _id: 1 })
      .lean<OwnProduct[]>()
      .exec();
  }

  /** One of the creator's own (not deleted) products, or null for any other id. */
  async findForOwner(creatorId: string, productId: string): Promise<OwnProduct | null> {
    if (!isObjectIdString(productId)) return null;
    return this.model
      .findOne(
        {
          _id: new Types.ObjectId(productId),
          creatorId: new Types.ObjectId(creatorId),
          ...NOT_DELETED,
        },
        { deletedAt: 0 },
      )
      .lean<OwnProduct>()
      .exec();
  }

  /** An active product by id (what a buyer may check out), or null. */
  async findActiveById(productId: string): Promise<Product | null> {
    if (!isObjectIdString(productId)) return null;
    return this.activeById(new Types.ObjectId(productId));
  }

  /** How many products the creator has (deleted ones excluded). */
  async countForOwner(creatorId: string): Promise<number> {
    return this.model
      .countDocuments({ creatorId: new Types.ObjectId(creatorId), ...NOT_DELETED })
      .exec();
  }

  /** Creates a product; without a position it goes after the creator's last product. */
  async create(creatorId: string, input: NewProduct): Promise<OwnProduct> {
    const owner = new Types.ObjectId(creatorId);
    let position = input.position;
    if (position === undefined) {
      const last = await this.model
        .findOne({ creatorId: owner, ...NOT_DELETED }, { position: 1 })
        .sort({ position: -1 })
        .lean<{ position: number }>()
        .exec();
      position = last ? Math.floor(last.position) + 1 : 0;
    }
    const doc = await this.model.create({ ...input, position, creatorId: owner, currency: 'INR' });
    const { deletedAt: _deleted, ...own } = doc.toObject();
    return own;
  }

  /** Applies a patch to one of the creator's products; null when it is not theirs (or deleted). */
  async updateForOwner(
    creatorId: string,
    productId: string,
    patch: ProductPatch,
  ): Promise<OwnProduct | null> {
    if (!isObjectIdString(productId)) return null;
    const { coverImageUrl, ...rest } = patch;
    const update: { $set: Record<string, unknown>; $unset?: Record<string, 1> } = {
      $set: { ...rest },
    };
    if (coverImageUrl === null) update.$unset = { coverImageUrl: 1 };
    else if (coverImageUrl !== undefined) update.$set.coverImageUrl = coverImageUrl;
    return this.model
      .findOneAndUpdate(
        {
          _id: new Types.ObjectId(productId),
          creatorId: new Types.ObjectId(creatorId),
          ...NOT_DELETED,
        },
        update,
        { returnDocument: 'after', runValidators: true, projection: { deletedAt: 0 } },
      )
      .lean<OwnProduct>()
      .exec();
  }

  /**
   * Deletes one of the creator's products as far as the creator and buyers can tell: it leaves
   * the storefront and the creator's list, and checkout refuses it. The document itself stays so
   * an order paid before the deletion can still be delivered. False when it is not theirs.
   */
  async softDeleteForOwner(creatorId: string, productId: string): Promise<boolean> {
    if (!isObjectIdString(productId)) return false;
    const res = await this.model
      .updateOne(
        {
          _id: new Types.ObjectId(productId),
          creatorId: new Types.ObjectId(creatorId),
          ...NOT_DELETED,
        },
        { $set: { deletedAt: new Date(), status: 'draft' } },
      )
      .exec();
    return res.matchedCount === 1;
  }

  /**
   * Sets (or with `null` removes) the cover image of one of the creator's products; the product
   * after the change, or null when it is not theirs (or deleted).
   */
  async setImageForOwner(
    creatorId: string,
    productId: string,
    image: ImageRef | null,
  ): Promise<OwnProduct | null> {
    if (!isObjectIdString(productId)) return null;
    return this.model
      .findOneAndUpdate(
        {
          _id: new Types.ObjectId(productId),
          creatorId: new Types.ObjectId(creatorId),
          ...NOT_DELETED,
        },
        image === null ? { $unset: { image: 1 } } : { $set: { image } },
        { returnDocument: 'after', runValidators: true, projection: { deletedAt: 0 } },
      )
      .lean<OwnProduct>()
      .exec();
  }

  /** True when `productId` names one of the creator's products that is not deleted. */
  async isOwnedBy(creatorId: string, productId: string): Promise<boolean> {
    if (!isObjectIdString(productId) || !isObjectIdString(creatorId)) return false;
    const found = await this.model
      .exists({
        _id: new Types.ObjectId(productId),
        creatorId: new Types.ObjectId(creatorId),
        ...NOT_DELETED,
      })
      .exec();
    return found !== null;
  }

  /**
   * Sets the product's file if it is still the creator's, in one atomic update. Returns the
   * file it replaced (`null` if there was none), or `undefined` when the product is gone.
   */
  async replaceFile(
    creatorId: string,
    productId: string,
    file: ProductFile,
  ): Promise<ProductFile | null | undefined> {
    const before = await this.model
      .findOneAndUpdate(
        {
          _id: new Types.ObjectId(productId),
          creatorId: new Types.ObjectId(creatorId),
          ...NOT_DELETED,
        },
        { $set: { file } },
        { returnDocument: 'before', projection: { file: 1 } },
      )
      .lean<{ file?: ProductFile }>()
      .exec();
    if (!before) return undefined;
    return before.file ?? null;
  }

  /** The product's current file, deleted products included (earlier buyers still get theirs). */
  async fileOf(productId: Types.ObjectId): Promise<ProductFile | null> {
    return this.fileById(productId);
  }
}
