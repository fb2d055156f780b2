import { z } from 'zod';
import { PRODUCT_MAX_PRICE, PRODUCT_MIN_PRICE, PRODUCT_STATUSES } from '@storefront/shared';
import {
  bioSchema,
  displayNameSchema,
  imageUrlSchema,
  linksSchema,
  usernameSchema,
} from './profile-fields.schemas.ts';

const atLeastOneField = { error: 'at least one field is required' };
const hasFields = (o: object) => Object.keys(o).length > 0;

export const profilePatchBody = z
  .strictObject({
    username: usernameSchema.optional(),
    displayName: displayNameSchema.optional(),
    bio: bioSchema.optional(),
    avatarUrl: imageUrlSchema.nullable().optional(),
    links: linksSchema.optional(),
  })
  .refine(hasFields, atLeastOneField);

const title = z.string().trim().min(1).max(120);
const description = z.string().trim().max(5000);
const price = z
  .number()
  .int({ error: 'price is an integer number of paise' })
  .min(PRODUCT_MIN_PRICE, { error: `at least ${PRODUCT_MIN_PRICE} paise` })
  .max(PRODUCT_MAX_PRICE, { error: `at most ${PRODUCT_MAX_PRICE} paise` });
const status = z.enum(PRODUCT_STATUSES);
const position = z.number().int().min(0).max(1_000_000);

export const productCreateBody = z.strictObject({
  title,
  description: description.optional(),
  price,
  status: status.optional(),
  position: position.optional(),
  coverImageUrl: imageUrlSchema.optional(),
});

export const productPatchBody = z
  .strictObject({
    title: title.optional(),
    description: description.optional(),
    price: price.optional(),
    status: status.optional(),
    position: position.optional(),
    coverImageUrl: imageUrlSchema.nullable().optional(),
  })
  .refine(hasFields, atLeastOneField);
