import { CommandError, ErrorCode } from '../errors.ts';
import type { ConnectionInfo, ServerState } from '../server-state.ts';
import { assertCollectionName } from '../storage/collection.store.ts';
import { isPlainObject, type Doc } from '../storage/key-encoding.ts';

/** What a command handler gets: the server, the connection, the target db and the command body. */
export interface CommandContext {
  readonly state: ServerState;
  readonly conn: ConnectionInfo;
  readonly db: string;
  readonly body: Doc;
  readonly name: string;
}

/** A command handler. Synchronous on purpose: a command's reads and writes never interleave. */
export type CommandHandler = (ctx: CommandContext) => Doc;

/** Reads an optional numeric option sent as int32, double or Long. */
export function num(v: unknown, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'object' ? Number((v as { toString(): string }).toString()) : Number(v);
  if (Number.isNaN(n)) throw new CommandError(ErrorCode.TypeMismatch, 'expected a number');
  return n;
}

/** The collection name a command targets (its first field's value). */
export function collectionArg(ctx: CommandContext): string {
  const name = ctx.body[ctx.name];
  assertCollectionName(name);
  return name;
}

/** An optional sub-document option; throws TypeMismatch when present but not a document. */
export function docArg(body: Doc, field: string): Doc | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) {
    throw new CommandError(
      ErrorCode.TypeMismatch,
      `BSON field '${field}' is the wrong type, expected type 'object'`,
    );
  }
  return v;
}

/** An array option (documents, updates, deletes, pipeline). */
export function arrayArg(body: Doc, field: string, required = true): Doc[] {
  const v = body[field];
  if (v === undefined && !required) return [];
  if (!Array.isArray(v)) {
    throw new CommandError(
      ErrorCode.TypeMismatch,
      `BSON field '${field}' is missing or not an array`,
    );
  }
  return v as Doc[];
}
