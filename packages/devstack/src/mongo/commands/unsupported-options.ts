import { CommandError, ErrorCode, notSupported } from '../errors.ts';
import type { Collection } from '../storage/collection.store.ts';
import type { IndexSpec } from '../storage/index.store.ts';
import { encodeKey, isPlainObject, type Doc } from '../storage/key-encoding.ts';

// Options this server does not implement are refused with CommandNotSupported (115) naming the
// feature. Ignoring them would answer differently from mongod with nothing to show for it (a
// case-insensitive collation that silently matches nothing, a validator never enforced). The
// list is kept in packages/devstack/README.md.

function absent(v: unknown): boolean {
  return v === undefined || v === null;
}

function absentOrEmpty(v: unknown): boolean {
  return absent(v) || (isPlainObject(v) && Object.keys(v).length === 0);
}

/** Whether a collation is absent or `{locale: 'simple'}`, mongod's default binary comparison. */
export function isSimpleCollation(v: unknown): boolean {
  return absent(v) || (isPlainObject(v) && Object.keys(v).length === 1 && v.locale === 'simple');
}

/** Refuses any collation but the simple one: strings are only compared binary here. */
export function checkCollation(v: unknown, where: string): void {
  if (!isSimpleCollation(v)) {
    throw notSupported(`collation on ${where} (only {locale: 'simple'} is)`);
  }
}

/** Refuses `let` (or a statement's `c`) outside aggregate: filters and updates take no variables. */
export function checkVariables(v: unknown, feature: string): void {
  if (!absentOrEmpty(v)) throw notSupported(feature);
}

/** Refuses the find options that change which documents or fields come back. */
export function checkFindOptions(body: Doc): void {
  if (!absentOrEmpty(body.min) || !absentOrEmpty(body.max)) throw notSupported('find min/max');
  for (const flag of ['returnKey', 'showRecordId', 'tailable', 'awaitData']) {
    if (body[flag] === true) throw notSupported(`find ${flag}`);
  }
}

function hintedIndex(coll: Collection, hint: string | Doc): IndexSpec | undefined {
  const specs = coll.indexSpecs();
  if (typeof hint === 'string') return specs.find((s) => s.name === hint);
  const enc = encodeKey(hint);
  return specs.find((s) => encodeKey(s.key) === enc);
}

/**
 * Checks a `hint`. Hinting an ordinary index does not change the answer, so it is accepted; an
 * index that does not exist (or is hidden) is mongod's BadValue. A sparse, partial or wildcard
 * index holds only some documents and a reverse `$natural` hint reverses the order, so those
 * would change the answer and are refused. Like mongod, a missing collection is not checked.
 */
export function checkHint(coll: Collection | undefined, hint: unknown): void {
  if (absentOrEmpty(hint) || !coll) return;
  if (typeof hint !== 'string' && !isPlainObject(hint)) {
    throw new CommandError(ErrorCode.BadValue, 'hint must be a string or an object');
  }
  if (isPlainObject(hint) && '$natural' in hint) {
    if (Object.keys(hint).length === 1 && Number(hint.$natural) === 1) return;
    throw notSupported('a hint other than {$natural: 1} on the natural order');
  }
  const spec = hintedIndex(coll, hint);
  if (!spec || spec.hidden === true) {
    throw new CommandError(
      ErrorCode.BadValue,
      'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index',
    );
  }
  const wildcard = Object.keys(spec.key).some((f) => f.endsWith('$**'));
  if (spec.sparse === true || spec.partialFilterExpression !== undefined || wildcard) {
    throw notSupported(`a hint of the sparse, partial or wildcard index '${spec.name}'`);
  }
}

// `create` options that make a different kind of collection than this server keeps.
const CREATE_REFUSED: [string, string, (v: unknown) => boolean][] = [
  ['capped', 'capped collections (create capped)', (v) => v === true],
  ['timeseries', 'time-series collections (create timeseries)', (v) => !absent(v)],
  ['clusteredIndex', 'clustered collections (create clusteredIndex)', (v) => !absent(v)],
  ['expireAfterSeconds', 'create expireAfterSeconds', (v) => !absent(v)],
  ['viewOn', 'views (create viewOn/pipeline)', (v) => !absent(v)],
  ['pipeline', 'views (create viewOn/pipeline)', (v) => !absent(v)],
  ['validator', 'schema validation (create validator)', (v) => !absentOrEmpty(v)],
  ['encryptedFields', 'Queryable Encryption (create encryptedFields)', (v) => !absent(v)],
];

/** Refuses `create` options this server does not implement; drops a simple collation. */
export function createOptions(options: Doc): Doc {
  for (const [field, feature, refused] of CREATE_REFUSED) {
    if (refused(options[field])) throw notSupported(feature);
  }
  checkCollation(options.collation, 'create (a collection default)');
  const out = { ...options };
  delete out.collation;
  return out;
}

// Index key types other than ascending/descending numbers and 'hashed'.
const REFUSED_INDEX_TYPES = new Map([
  ['text', 'text indexes'],
  ['2d', 'geospatial (2d) indexes'],
  ['2dsphere', 'geospatial (2dsphere) indexes'],
  ['geoHaystack', 'geoHaystack indexes'],
  ['columnstore', 'columnstore indexes'],
]);

/** Refuses index key types this server cannot build, as mongod does for unknown ones (67). */
export function checkIndexKeyType(v: unknown): void {
  if (typeof v !== 'string' || v === 'hashed') return;
  const feature = REFUSED_INDEX_TYPES.get(v);
  if (feature) throw notSupported(feature);
  throw new CommandError(ErrorCode.CannotCreateIndex, `Unknown index plugin '${v}'`);
}
