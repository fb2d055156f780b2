import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id password hashing with the library defaults (m=19 MiB, t=2, p=1: the OWASP baseline).
 * A login for an unknown email still verifies against a dummy hash so both paths take about
 * the same time and the response does not reveal whether the account exists.
 */
export class PasswordService {
  private dummyHash: Promise<string> | undefined;

  /** The argon2id hash of `password`. */
  async hash(password: string): Promise<string> {
    return hash(password);
  }

  /** True when `password` matches `passwordHash`; with no hash, spends the same time and says no. */
  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    const target = passwordHash ?? (await this.dummy());
    let ok: boolean;
    try {
      ok = await verify(target, password);
    } catch {
      ok = false;
    }
    return ok && passwordHash !== undefined;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hash(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }
}
