import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { imageRefSchema, type ImageRef } from '../images/image-ref.model.ts';

/**
 * A storefront username: 3–30 characters of lowercase letters, digits, `_` and `-`, starting and
 * ending with a letter or digit. Usernames are stored lowercase and appear in public URLs.
 */
export const USERNAME_PATTERN = /^[a-z0-9](?:[a-z0-9_-]{1,28}[a-z0-9])$/;

/**
 * Usernames nobody can claim: a storefront lives at `/<username>`, so these would collide with
 * our own paths (`/api`, `/admin`, `/orders`, `/assets`, `/img`, `/healthz`, `/metrics`…), read
 * as staff accounts, or are kept for paths to come. Sign-up and renames refuse them (400).
 */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
  'about',
  'account',
  'accounts',
  'admin',
  'api',
  'app',
  'assets',
  'auth',
  'billing',
  'blog',
  'buy',
  'cart',
  'cdn',
  'checkout',
  'contact',
  'creator',
  'creators',
  'dashboard',
  'doc',
  'docs',
  'download',
  'downloads',
  'explore',
  'favicon',
  'files',
  'healthz',
  'help',
  'images',
  'img',
  'legal',
  'login',
  'logout',
  'me',
  'media',
  'metrics',
  'new',
  'order',
  'orders',
  'pay',
  'payment',
  'payments',
  'privacy',
  'public',
  'razorpay',
  'readyz',
  'robots',
  'root',
  'sandbox',
  'search',
  'security',
  'settings',
  'signup',
  'sitemap',
  'static',
  'status',
  'store',
  'support',
  'terms',
  'uploads',
  'webhook',
  'webhooks',
  'www',
]);

/** A labelled link on a creator's public profile. */
export interface CreatorLink {
  label: string;
  url: string;
}

/** A creator's own Razorpay account; secrets are AES-256-GCM encrypted and never leave the server. */
export interface CreatorRazorpay {
  keyId: string;
  keySecretEnc: string;
  webhookSecretEnc: string;
  connectedAt: Date;
}

/** A creator account and its public profile. */
export interface Creator {
  _id: Types.ObjectId;
  username: string;
  email: string;
  /** argon2id hash; `select: false`, read it with `.select('+passwordHash')`. */
  passwordHash: string;
  displayName: string;
  bio: string;
  avatarUrl?: string;
  /** The uploaded avatar (public, served from the images bucket); see ImageRef. */
  avatar?: ImageRef;
  links: CreatorLink[];
  /** `select: false`, read it with `.select('+razorpay')`; never returned by any endpoint. */
  razorpay?: CreatorRazorpay;
  createdAt: Date;
  updatedAt: Date;
}

const linkSchema = new Schema<CreatorLink>(
  { label: { type: String, required: true }, url: { type: String, required: true } },
  { _id: false },
);

const razorpaySchema = new Schema<CreatorRazorpay>(
  {
    keyId: { type: String, required: true },
    keySecretEnc: { type: String, required: true },
    webhookSecretEnc: { type: String, required: true },
    connectedAt: { type: Date, required: true },
  },
  { _id: false },
);

const creatorSchema = new Schema<Creator>(
  {
    username: {
      type: String,
      required: true,
      lowercase: true,
      trim: true,
      match: USERNAME_PATTERN,
    },
    email: { type: String, required: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true, select: false },
    displayName: { type: String, required: true },
    bio: { type: String, default: '' },
    avatarUrl: { type: String },
    avatar: { type: imageRefSchema },
    links: { type: [linkSchema], default: [] },
    razorpay: { type: razorpaySchema, select: false },
  },
  { timestamps: true, collection: 'creators', versionKey: false },
);
creatorSchema.index({ username: 1 }, { unique: true });
creatorSchema.index({ email: 1 }, { unique: true });

/** The `creators` model bound to `conn`. */
export function creatorModel(conn: Connection): Model<Creator> {
  return (
    (conn.models.Creator as Model<Creator> | undefined) ??
    conn.model<Creator>('Creator', creatorSchema)
  );
}
