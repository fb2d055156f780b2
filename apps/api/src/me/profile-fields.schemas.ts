import { z } from 'zod';
import { RESERVED_USERNAMES, USERNAME_PATTERN } from '@storefront/shared';

// Field rules shared by signup and profile edits. Every object schema built from these is strict,
// so unknown keys (including `$`-operators smuggled into a body) are rejected, never ignored.

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }));

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(USERNAME_PATTERN, {
    error: '3–30 characters: a–z, 0–9, "_" or "-", starting and ending with a letter or digit',
  })
  .refine((u) => !RESERVED_USERNAMES.has(u), { error: 'this username is reserved' });

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email().max(254));

export const passwordSchema = z
  .string()
  .min(10, { error: 'at least 10 characters' })
  .max(256, { error: 'at most 256 characters' });

export const displayNameSchema = z.string().trim().min(1).max(60);
export const bioSchema = z.string().trim().max(500);
export const imageUrlSchema = httpUrl;
export const linksSchema = z
  .array(z.strictObject({ label: z.string().trim().min(1).max(40), url: httpUrl }))
  .max(10);
