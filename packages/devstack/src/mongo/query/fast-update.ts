import { CommandError, ErrorCode } from '../errors.ts';
import { encodeKey, formatValue, isPlainObject, type Doc } from '../storage/key-encoding.ts';

const SUPPORTED = new Set(['$set', '$unset', '$inc', '$currentDate']);

// Walks to the parent object of `path`, creating objects when `create`; null when the path
// crosses an array or a scalar (mingo handles those cases).
function parentOf(doc: Doc, parts: string[], create: boolean): Doc | null | undefined {
  let cur: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const next = cur[part];
    if (next === undefined) {
      if (!create) return undefined;
      const made: Doc = {};
      cur[part] = made;
      cur = made;
    } else if (isPlainObject(next)) {
      cur = next;
    } else {
      return null;
    }
  }
  return cur;
}

function simplePath(path: string): boolean {
  if (path.length === 0) return false;
  for (const part of path.split('.')) {
    if (part.length === 0 || part.startsWith('$') || /^\d+$/.test(part)) return false;
  }
  return true;
}

function assertNoConflicts(paths: string[]): void {
  const sorted = [...paths].sort();
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as string;
    const b = sorted[i] as string;
    if (a === b || b.startsWith(a + '.')) {
      throw new CommandError(
        ErrorCode.ConflictingUpdateOperators,
        `Updating the path '${b}' would create a conflict at '${a}'`,
      );
    }
  }
}

/**
 * Whether `fastApply` can take `modifier`: only `$set`, `$unset`, `$inc` and `$currentDate` on
 * plain dotted paths. Anything else needs mingo.
 */
export function fastCandidate(modifier: Doc): boolean {
  for (const [op, spec] of Object.entries(modifier)) {
    if (!SUPPORTED.has(op)) return false;
    for (const path of Object.keys(spec as Doc)) if (!simplePath(path)) return false;
  }
  return true;
}

/**
 * Applies a modifier that passed `fastCandidate` directly to `doc` (a private copy). Returns
 * whether it changed, or null when the document needs mingo after all (an array or a scalar in
 * the path, a non-numeric `$inc`, a timestamp `$currentDate`); the copy, possibly changed
 * already, must then be discarded.
 */
export function fastApply(doc: Doc, modifier: Doc): boolean | null {
  assertNoConflicts(Object.values(modifier).flatMap((spec) => Object.keys(spec as Doc)));
  let modified = false;
  for (const [op, spec] of Object.entries(modifier)) {
    for (const [path, value] of Object.entries(spec as Doc)) {
      const parts = path.split('.');
      const leaf = parts[parts.length - 1] as string;
      const parent = parentOf(doc, parts, op !== '$unset');
      if (parent === null) return null;
      if (parent === undefined) continue;
      const old = parent[leaf];
      switch (op) {
        case '$set':
          if (old === undefined || encodeKey(old) !== encodeKey(value)) {
            parent[leaf] = value;
            modified = true;
          }
          break;
        case '$unset':
          if (leaf in parent) {
            delete parent[leaf];
            modified = true;
          }
          break;
        case '$inc':
          if (typeof value !== 'number') return null;
          if (old === undefined) {
            parent[leaf] = value;
            modified = true;
          } else if (typeof old === 'number') {
            parent[leaf] = old + value;
            modified ||= value !== 0;
          } else if (old === null || typeof old !== 'object') {
            throw new CommandError(
              ErrorCode.TypeMismatch,
              `Cannot apply $inc to a value of non-numeric type. {_id: ${formatValue(doc._id)}} has the field '${leaf}' of non-numeric type ${old === null ? 'null' : typeof old}`,
            );
          } else {
            return null;
          }
          break;
        case '$currentDate': {
          const wantsTimestamp = isPlainObject(value) && value.$type === 'timestamp';
          if (wantsTimestamp) return null;
          parent[leaf] = new Date();
          modified = true;
          break;
        }
        default:
          return null;
      }
    }
  }
  return modified;
}
