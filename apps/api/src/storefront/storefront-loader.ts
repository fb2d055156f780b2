import type {
  CreatorRepository,
  ProductRepository,
  PublicCreator,
  PublicProduct,
} from '@storefront/shared';

/** The public storefront document: exactly these fields, nothing private. */
export interface PublicStorefront {
  creator: {
    username: string;
    displayName: string;
    bio: string;
    avatarUrl: string | null;
    links: Array<{ label: string; url: string }>;
  };
  products: Array<{
    id: string;
    title: string;
    description: string;
    price: number;
    currency: 'INR';
    coverImageUrl: string | null;
  }>;
}

/** Picks the public fields field by field, so a field added to a model never leaks by default. */
export function toPublicStorefront(
  creator: PublicCreator,
  products: PublicProduct[],
): PublicStorefront {
  return {
    creator: {
      username: creator.username,
      displayName: creator.displayName,
      bio: creator.bio ?? '',
      avatarUrl: creator.avatarUrl ?? null,
      links: (creator.links ?? []).map((l) => ({ label: l.label, url: l.url })),
    },
    products: products.map((p) => ({
      id: p._id.toHexString(),
      title: p.title,
      description: p.description ?? '',
      price: p.price,
      currency: p.currency,
      coverImageUrl: p.coverImageUrl ?? null,
    })),
  };
}

/** Reads one storefront from MongoDB and serializes it once; null for an unknown username. */
export function storefrontLoader(
  creators: CreatorRepository,
  products: ProductRepository,
): (username: string) => Promise<Buffer | null> {
  return async (username) => {
    const creator = await creators.findPublicByUsername(username);
    if (!creator) return null;
    const items = await products.listActiveForStore(creator._id);
    return Buffer.from(JSON.stringify(toPublicStorefront(creator, items)));
  };
}
