/**
 * Returns `baseUrl` with its database name replaced by `dbName`, keeping hosts and options.
 * (Works for multi-host replica-set URLs too, which `new URL()` cannot parse.)
 */
export function withDatabase(baseUrl: string, dbName: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(baseUrl);
  if (!m) throw new Error(`not a MongoDB URL: ${baseUrl}`);
  return `${m[1]}/${dbName}${m[2] ?? ''}`;
}
