import { z } from 'zod';
import {
  bioSchema,
  displayNameSchema,
  emailSchema,
  imageUrlSchema,
  linksSchema,
  passwordSchema,
  usernameSchema,
} from '../me/profile-fields.schemas.ts';

export const signupBody = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  username: usernameSchema,
  displayName: displayNameSchema.optional(),
  bio: bioSchema.optional(),
  avatarUrl: imageUrlSchema.optional(),
  links: linksSchema.optional(),
});
export type SignupInput = z.output<typeof signupBody>;

// Login only bounds the inputs: the format rules of signup would leak which accounts can exist.
export const loginBody = z.strictObject({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(256),
});
export type LoginInput = z.output<typeof loginBody>;
