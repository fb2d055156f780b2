import { Types, type Connection, type Model } from 'mongoose';
import { isObjectIdString, productModel, type Product, type ProductFile } from '@storefront/shared';

/** Reads and writes the `file` of a creator's products; plain objects only. */
export class ProductFileRepository {
  private readonly model: Model<Product>;

  constructor(conn: Connection) {
    this.model = productModel(conn);
  }

  /** True when `productId` names one of the creator's products that is not deleted. */
  async isOwnedBy(creatorId: string, productId: string): Promise<boolean> {
    if (!isObjectIdString(productId) || !isObjectIdString(creatorId)) return false;
    const found = await this.model
      .exists({
        _id: new Types.ObjectId(productId),
        creatorId: new Types.ObjectId(creatorId),
        deletedAt: null,
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
          deletedAt: null,
        },
        { $set: { file } },
        { returnDocument: 'before', projection: { file: 1 } },
      )
      .lean<{ file?: ProductFile }>()
      .exec();
    if (!before) return undefined;
    return before.file ?? null;
  }
}
