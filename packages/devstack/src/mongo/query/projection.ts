import { Query } from 'mingo';
import { CommandError, ErrorCode } from '../errors.ts';
import { isPlainObject, type Doc } from '../storage/key-encoding.ts';

/** Applies a find-style projection (mingo); positional `$` projections use the filter. */
export function project(docs: Doc[], projection: unknown, filter: Doc | undefined): Doc[] {
  if (!isPlainObject(projection) || Object.keys(projection).length === 0 || docs.length === 0)
    return docs;
  const positional = Object.keys(projection).some((k) => k.endsWith('.$'));
  try {
    return new Query(positional ? (filter ?? {}) : {}, {}).find<Doc>(docs, projection).all();
  } catch (err) {
    throw new CommandError(ErrorCode.BadValue, err instanceof Error ? err.message : String(err));
  }
}
