import { CommandError, ErrorCode } from '../errors.ts';
import { isPlainObject } from './key-encoding.ts';

// mongod's checks on the `_id` of a document it is about to store. A DBRef-shaped `_id`
// ({$ref, $id, $db}) is decoded as a bson DBRef, not a plain object, so it passes as on mongod.

function assertIdType(id: unknown): void {
  const type = Array.isArray(id) ? 'array' : id instanceof RegExp ? 'regex' : null;
  if (type) {
    throw new CommandError(ErrorCode.InvalidIdField, `The '_id' value cannot be of type ${type}`);
  }
}

function dollarField(v: unknown, deep: boolean): string | undefined {
  const entries = Array.isArray(v)
    ? v.map((x, i) => [String(i), x] as const)
    : isPlainObject(v)
      ? Object.entries(v)
      : [];
  for (const [k, x] of entries) {
    if (k.startsWith('$')) return k;
    const inner = deep ? dollarField(x, true) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

/** Insert: no array or regex `_id`, and no `$`-prefixed field anywhere inside an embedded one. */
export function assertInsertableId(id: unknown): void {
  assertIdType(id);
  if (!isPlainObject(id)) return;
  const field = dollarField(id, true);
  if (field) {
    throw new CommandError(
      ErrorCode.DollarPrefixedFieldName,
      `_id fields may not contain '$'-prefixed fields: ${field} is not valid for storage.`,
    );
  }
}

/** Upsert: as insert, but mongod checks only the first level of an embedded `_id` here. */
export function assertUpsertableId(id: unknown): void {
  assertIdType(id);
  if (!isPlainObject(id)) return;
  const field = dollarField(id, false);
  if (field) {
    throw new CommandError(
      ErrorCode.DollarPrefixedFieldName,
      `The dollar ($) prefixed field '${field}' in '_id.${field}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
    );
  }
}
