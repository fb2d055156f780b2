import { Buffer } from 'node:buffer';

/** A key id: short, and free of the `.` and `:` separators used in ENCRYPTION_KEYS and ciphertexts. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** AES-256 needs exactly this many key bytes. */
export const ENCRYPTION_KEY_BYTES = 32;

/** Parsed ENCRYPTION_KEYS: every key by id, in the order given. */
export type EncryptionKeyRing = ReadonlyMap<string, Buffer>;

/**
 * Parses `id:base64,id:base64,...` into keys of exactly 32 bytes. Returns the problems instead of
 * throwing so the config schema can report them next to every other bad variable.
 */
export function parseEncryptionKeys(
  raw: string,
): { ok: true; keys: EncryptionKeyRing } | { ok: false; problems: string[] } {
  const keys = new Map<string, Buffer>();
  const problems: string[] = [];
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (entries.length === 0) problems.push('no keys given; expected id:base64key[,id:base64key...]');
  entries.forEach((entry, index) => {
    const sep = entry.indexOf(':');
    const id = sep === -1 ? '' : entry.slice(0, sep);
    const material = sep === -1 ? '' : entry.slice(sep + 1);
    // Never echo key material in a message; the position and id are enough to find the entry.
    const where = `entry ${index + 1}${KEY_ID_PATTERN.test(id) ? ` (id "${id}")` : ''}`;
    if (sep === -1) return void problems.push(`${where}: expected id:base64key`);
    if (!KEY_ID_PATTERN.test(id)) {
      return void problems.push(`${where}: key id must match ${KEY_ID_PATTERN.source}`);
    }
    if (keys.has(id)) return void problems.push(`${where}: duplicate key id`);
    const key = decodeKey(material);
    if (key === undefined) return void problems.push(`${where}: key is not valid base64`);
    if (key.length !== ENCRYPTION_KEY_BYTES) {
      return void problems.push(
        `${where}: key must decode to exactly ${ENCRYPTION_KEY_BYTES} bytes (got ${key.length})`,
      );
    }
    keys.set(id, key);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, keys };
}

// Buffer.from(…, 'base64') skips invalid characters silently, so check the alphabet first.
function decodeKey(material: string): Buffer | undefined {
  if (BASE64.test(material)) return Buffer.from(material, 'base64');
  if (BASE64URL.test(material)) return Buffer.from(material, 'base64url');
  return undefined;
}
