import type {
  CreatorRepository,
  ProductRepository,
  PublicCreator,
  PublicProduct,
} from '@storefront/shared';
import type { ImageUrls } from '../images/public-image.ts';
import type { StorefrontBody } from '../openapi/response.schemas.ts';

export type { PublicImage } from '../images/public-image.ts';

/** The public storefront document: exactly these fields, nothing private (`storefrontResponse`). */
export type PublicStorefront = StorefrontBody;

/** Picks the public fields field by field, so a field added to a model never leaks by default. */
export function toPublicStorefront(
  creator: PublicCreator,
  products: PublicProduct[],
  images: ImageUrls,
): PublicStorefront {
  return {
    creator: {
      username: creator.username,
      displayName: creator.displayName,
      bio: creator.bio ?? '',
      avatarUrl: creator.avatarUrl ?? null,
      avatar: images(creator.avatar),
      links: (creator.links ?? []).map((l) => ({ label: l.label, url: l.url })),
    },
    products: products.map((p) => ({
      id: p._id.toHexString(),
      title: p.title,
      description: p.description ?? '',
      price: p.price,
      currency: p.currency,
      coverImageUrl: p.coverImageUrl ?? null,
      image: images(p.image),
    })),
  };
}

/**
 * Reads one storefront from MongoDB and serializes it once (image URLs built by `images`); null
 * for an unknown username.
 */
export function storefrontLoader(
  creators: CreatorRepository,
  products: ProductRepository,
  images: ImageUrls,
): (username: string) => Promise<Buffer | null> {
  return async (username) => {
    const creator = await creators.findPublicByUsername(username);
    if (!creator) return null;
    const items = await products.listActiveForStore(creator._id);
    return Buffer.from(JSON.stringify(toPublicStorefront(creator, items, images)));
  };
}
