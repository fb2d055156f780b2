import {
  AppError,
  ConflictError,
  type CreatorRepository,
  type OwnCreator,
} from '@storefront/shared';
import type { StoreInvalidator } from '../storefront/store-cache.service.ts';
import type { LoginInput, SignupInput } from './auth.schemas.ts';
import type { PasswordService } from './password.service.ts';
import type { TokenService } from './token.service.ts';

/** Raised for any failed login, whatever the reason, so responses do not reveal which accounts exist. */
export class InvalidCredentialsError extends AppError {
  constructor() {
    super('INVALID_CREDENTIALS', 401, 'Invalid email or password');
  }
}

export interface Session {
  token: string;
  creator: OwnCreator;
}

/** Creator sign-up and login. */
export class AuthService {
  private readonly creators: CreatorRepository;
  private readonly passwords: PasswordService;
  private readonly tokens: TokenService;
  private readonly store: StoreInvalidator;

  constructor(deps: {
    creators: CreatorRepository;
    passwords: PasswordService;
    tokens: TokenService;
    store: StoreInvalidator;
  }) {
    this.creators = deps.creators;
    this.passwords = deps.passwords;
    this.tokens = deps.tokens;
    this.store = deps.store;
  }

  /** Creates an account and signs it in; a taken username or email is a ConflictError. */
  async signup(input: SignupInput): Promise<Session> {
    if (await this.creators.usernameTaken(input.username)) {
      throw new ConflictError('username is already taken', { field: 'username' });
    }
    if (await this.creators.emailTaken(input.email)) {
      throw new ConflictError('email is already registered', { field: 'email' });
    }
    const passwordHash = await this.passwords.hash(input.password);
    const creator = await this.creators.create({
      username: input.username,
      email: input.email,
      passwordHash,
      displayName: input.displayName ?? input.username,
      bio: input.bio ?? '',
      ...(input.avatarUrl === undefined ? {} : { avatarUrl: input.avatarUrl }),
      links: input.links ?? [],
    });
    // The name may sit in the negative cache from someone visiting it before it existed.
    await this.store.invalidate([creator.username]);
    return { token: await this.tokens.issue(creator._id.toHexString()), creator };
  }

  /** Signs in by email and password; every failure is the same InvalidCredentialsError. */
  async login(input: LoginInput): Promise<Session> {
    const found = await this.creators.findCredentialsByEmail(input.email);
    const ok = await this.passwords.verify(found?.passwordHash, input.password);
    if (!found || !ok) throw new InvalidCredentialsError();
    const creator = await this.creators.findOwnById(found._id.toHexString());
    if (!creator) throw new InvalidCredentialsError();
    return { token: await this.tokens.issue(creator._id.toHexString()), creator };
  }
}
