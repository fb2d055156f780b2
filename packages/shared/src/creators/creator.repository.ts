import { Types, type Connection, type Model } from 'mongoose';
import { ConflictError } from '../errors/app-error.ts';
import { batched, inKeyOrder, SAME_TICK, type BatchOptions } from '../db/batcher.ts';
import { isObjectIdString } from '../db/object-id.ts';
import type { ImageRef } from '../images/image-ref.model.ts';
import { creatorModel, type Creator, type CreatorLink } from './creator.model.ts';

/** The fields of a creator anyone may see on the storefront. */
export interface PublicCreator {
  _id: Types.ObjectId;
  username: string;
  displayName: string;
  bio: string;
  avatarUrl?: string;
  avatar?: ImageRef;
  links: CreatorLink[];
}

/** A creator as the creator sees themselves: no password hash, no Razorpay secrets. */
export type OwnCreator = Omit<Creator, 'passwordHash' | 'razorpay'>;

/** Editable profile fields; `avatarUrl: null` removes the avatar. */
export interface CreatorProfilePatch {
  username?: string;
  displayName?: string;
  bio?: string;
  avatarUrl?: string | null;
  links?: CreatorLink[];
}

export interface NewCreator {
  username: string;
  email: string;
  passwordHash: string;
  displayName: string;
  bio?: string;
  avatarUrl?: string;
  links?: CreatorLink[];
}

const PUBLIC_FIELDS = {
  username: 1,
  displayName: 1,
  bio: 1,
  avatarUrl: 1,
  avatar: 1,
  links: 1,
} as const;
const OWN_FIELDS = '-passwordHash -razorpay';

/** Reads and writes `creators`; every method returns plain objects. */
export class CreatorRepository {
  private readonly model: Model<Creator>;
  private readonly publicByUsername: (username: string) => Promise<PublicCreator | null>;

  /** `batch`: how concurrent `findPublicByUsername` reads share one query. */
  constructor(conn: Connection, batch: BatchOptions = SAME_TICK) {
    this.model = creatorModel(conn);
    // A drop's checkouts all look up the same creator: the ones a process starts in the same
    // tick share one query, read from the database as a single one would be (nothing is cached).
    this.publicByUsername = batched(async (names) => {
      const docs = await this.model.collection
        .find<PublicCreator>({ username: { $in: [...names] } }, { projection: PUBLIC_FIELDS })
        .toArray();
      return inKeyOrder(names, docs, (d) => d.username);
    }, batch);
  }

  /** The public profile behind a (lowercase) username, or null. */
  async findPublicByUsername(username: string): Promise<PublicCreator | null> {
    return this.publicByUsername(username);
  }

  /** The creator's own view of their account, or null. */
  async findOwnById(id: string): Promise<OwnCreator | null> {
    if (!isObjectIdString(id)) return null;
    return this.model.findById(id).select(OWN_FIELDS).lean<OwnCreator>().exec();
  }

  /** Just enough to authenticate a request: the id and the current username. */
  async findIdentityById(id: string): Promise<{ _id: Types.ObjectId; username: string } | null> {
    if (!isObjectIdString(id)) return null;
    return this.model
      .findById(id, { username: 1 })
      .lean<{ _id: Types.ObjectId; username: string }>()
      .exec();
  }

  /** Credentials for a login attempt by (lowercase) email, or null. */
  async findCredentialsByEmail(
    email: string,
  ): Promise<{ _id: Types.ObjectId; username: string; passwordHash: string } | null> {
    return this.model
      .findOne({ email }, { username: 1, passwordHash: 1 })
      .select('+passwordHash')
      .lean<{ _id: Types.ObjectId; username: string; passwordHash: string }>()
      .exec();
  }

  /** Creates a creator; a taken username or email raises ConflictError naming the field. */
  async create(input: NewCreator): Promise<OwnCreator> {
    try {
      const doc = await this.model.create({ ...input, links: input.links ?? [] });
      const { passwordHash: _hash, razorpay: _rzp, ...own } = doc.toObject();
      return own;
    } catch (err) {
      throw asConflict(err) ?? err;
    }
  }

  /**
   * Applies a profile patch and returns the username before the change together with the updated
   * account (null when the creator no longer exists). A taken username raises ConflictError.
   */
  async updateProfile(
    id: string,
    patch: CreatorProfilePatch,
  ): Promise<{ previousUsername: string; creator: OwnCreator } | null> {
    if (!isObjectIdString(id)) return null;
    const { avatarUrl, ...rest } = patch;
    const update: { $set: Record<string, unknown>; $unset?: Record<string, 1> } = {
      $set: { ...rest },
    };
    if (avatarUrl === null) update.$unset = { avatarUrl: 1 };
    else if (avatarUrl !== undefined) update.$set.avatarUrl = avatarUrl;
    let before: { username: string } | null;
    try {
      // The previous username comes from the same atomic update, so a concurrent rename cannot
      // make us invalidate the wrong storefront.
      before = await this.model
        .findOneAndUpdate({ _id: new Types.ObjectId(id) }, update, {
          returnDocument: 'before',
          projection: { username: 1 },
          runValidators: true,
        })
        .lean<{ username: string }>()
        .exec();
    } catch (err) {
      throw asConflict(err) ?? err;
    }
    if (!before) return null;
    const creator = await this.findOwnById(id);
    if (!creator) return null;
    return { previousUsername: before.username, creator };
  }

  /**
   * Sets (or with `null` removes) the creator's uploaded avatar; the account after the change
   * (its username names the storefront to invalidate), or null when it no longer exists.
   */
  async setAvatar(id: string, avatar: ImageRef | null): Promise<OwnCreator | null> {
    if (!isObjectIdString(id)) return null;
    return this.model
      .findOneAndUpdate(
        { _id: new Types.ObjectId(id) },
        avatar === null ? { $unset: { avatar: 1 } } : { $set: { avatar } },
        { returnDocument: 'after', runValidators: true },
      )
      .select(OWN_FIELDS)
      .lean<OwnCreator>()
      .exec();
  }

  /** True when an account uses `email` (lowercase). */
  async emailTaken(email: string): Promise<boolean> {
    return (await this.model.exists({ email })) !== null;
  }

  /** True when some creator other than `exceptId` holds `username`. */
  async usernameTaken(username: string, exceptId?: string): Promise<boolean> {
    const found = await this.model.exists(
      exceptId ? { username, _id: { $ne: new Types.ObjectId(exceptId) } } : { username },
    );
    return found !== null;
  }
}

interface MongoDuplicateKeyError {
  code?: number;
  keyPattern?: Record<string, unknown>;
  message?: string;
}

/** Maps a unique-index violation to ConflictError naming the field; anything else to undefined. */
function asConflict(err: unknown): ConflictError | undefined {
  const e = err as MongoDuplicateKeyError;
  if (e?.code !== 11000) return undefined;
  const field =
    Object.keys(e.keyPattern ?? {})[0] ?? /index: (\w+?)_1/.exec(e.message ?? '')?.[1] ?? 'unknown';
  return new ConflictError(`${field} is already taken`, { field });
}
