import type { OwnCreator, OwnProduct } from '@storefront/shared';
import type { ImageUrls } from '../images/public-image.ts';
import type { CreatorBody, ProductBody } from '../openapi/response.schemas.ts';

/** The creator's own account as the API returns it (no password hash, no Razorpay secrets). */
export function creatorView(c: OwnCreator, images: ImageUrls): CreatorBody {
  return {
    id: c._id.toHexString(),
    username: c.username,
    email: c.email,
    displayName: c.displayName,
    bio: c.bio,
    avatarUrl: c.avatarUrl ?? null,
    avatar: images(c.avatar),
    links: c.links.map((l) => ({ label: l.label, url: l.url })),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** One of the creator's products as the API returns it to its owner (the storage key stays inside). */
export function productView(p: OwnProduct, images: ImageUrls): ProductBody {
  return {
    id: p._id.toHexString(),
    title: p.title,
    description: p.description,
    price: p.price,
    currency: p.currency,
    status: p.status,
    position: p.position,
    coverImageUrl: p.coverImageUrl ?? null,
    image: images(p.image),
    file: p.file
      ? {
          name: p.file.name,
          contentType: p.file.contentType,
          size: p.file.size,
          uploadedAt: p.file.uploadedAt.toISOString(),
        }
      : null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
