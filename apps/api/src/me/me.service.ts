import {
  AppError,
  ConflictError,
  MAX_PRODUCTS_PER_CREATOR,
  NotFoundError,
  type CreatorProfilePatch,
  type CreatorRepository,
  type NewProduct,
  type OwnCreator,
  type OwnProduct,
  type ProductPatch,
  type ProductRepository,
} from '@storefront/shared';
import type { CurrentCreator } from '../auth/auth.middleware.ts';
import { storefrontsOfWrite, type StoreInvalidator } from '../storefront/store-cache.service.ts';

/**
 * The creator's own profile and products. Every write that can change the public storefront
 * invalidates it before returning, so once the caller has the response no API process serves
 * the old version.
 */
export class MeService {
  private readonly creators: CreatorRepository;
  private readonly products: ProductRepository;
  private readonly store: StoreInvalidator;

  constructor(deps: {
    creators: CreatorRepository;
    products: ProductRepository;
    store: StoreInvalidator;
  }) {
    this.creators = deps.creators;
    this.products = deps.products;
    this.store = deps.store;
  }

  async profile(me: CurrentCreator): Promise<OwnCreator> {
    const creator = await this.creators.findOwnById(me.id);
    if (!creator) throw new NotFoundError('Account not found');
    return creator;
  }

  /** Updates the profile; a rename invalidates both the old and the new storefront name. */
  async updateProfile(me: CurrentCreator, patch: CreatorProfilePatch): Promise<OwnCreator> {
    if (
      patch.username !== undefined &&
      (await this.creators.usernameTaken(patch.username, me.id))
    ) {
      throw new ConflictError('username is already taken', { field: 'username' });
    }
    const result = await this.creators.updateProfile(me.id, patch);
    if (!result) throw new NotFoundError('Account not found');
    await this.store.invalidate([result.previousUsername, result.creator.username]);
    return result.creator;
  }

  async listProducts(me: CurrentCreator): Promise<OwnProduct[]> {
    return this.products.listForOwner(me.id);
  }

  async getProduct(me: CurrentCreator, productId: string): Promise<OwnProduct> {
    const product = await this.products.findForOwner(me.id, productId);
    if (!product) throw new NotFoundError('Product not found');
    return product;
  }

  async createProduct(me: CurrentCreator, input: NewProduct): Promise<OwnProduct> {
    if ((await this.products.countForOwner(me.id)) >= MAX_PRODUCTS_PER_CREATOR) {
      throw new AppError(
        'PRODUCT_LIMIT',
        409,
        `A creator can have at most ${MAX_PRODUCTS_PER_CREATOR} products`,
      );
    }
    const product = await this.products.create(me.id, input);
    await this.invalidateStore(me);
    return product;
  }

  /** Someone else's product, a deleted one and a malformed id are all NotFoundError. */
  async updateProduct(
    me: CurrentCreator,
    productId: string,
    patch: ProductPatch,
  ): Promise<OwnProduct> {
    const product = await this.products.updateForOwner(me.id, productId, patch);
    if (!product) throw new NotFoundError('Product not found');
    await this.invalidateStore(me);
    return product;
  }

  async deleteProduct(me: CurrentCreator, productId: string): Promise<void> {
    if (!(await this.products.softDeleteForOwner(me.id, productId))) {
      throw new NotFoundError('Product not found');
    }
    await this.invalidateStore(me);
  }

  // The username is re-read after the write (see storefrontsOfWrite).
  private async invalidateStore(me: CurrentCreator): Promise<void> {
    const now = await this.creators.findIdentityById(me.id);
    await this.store.invalidate(storefrontsOfWrite(me.username, now?.username));
  }
}
