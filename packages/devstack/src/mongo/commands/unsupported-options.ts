import { CommandError, ErrorCode } from '../errors.ts';
import { isPlainObject, type Doc } from '../storage/key-encoding.ts';

// Options this server does not implement are refused with CommandNotSupported (115) naming the
// feature. Ignoring them would answer differently from mongod with nothing to show for it (a
// case-insensitive collation that silently matches nothing, a validator never enforced). The
// list is kept in packages/devstack/README.md.

/** The error for a feature this server does not implement: CommandNotSupported (115). */
export function notSupported(feature: string): CommandError {
  return new CommandError(
    ErrorCode.CommandNotSupported,
    `${feature} is not supported by the in-memory MongoDB server (devstack)`,
  );
}

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
