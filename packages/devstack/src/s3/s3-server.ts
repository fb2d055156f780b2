import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** Options of {@link startS3Server}. */
export interface S3ServerOptions {
  port?: number;
  host?: string;
  /** Buckets created before the server answers. */
  buckets?: string[];
  /** Keep objects here; by default a fresh temp directory that stop() removes. */
  directory?: string;
}

/** A running local S3. Credentials: access key `S3RVER`, secret `S3RVER`; use path-style URLs. */
export interface S3ServerHandle {
  endpoint: string;
  port: number;
  /** Where the objects live (removed by stop() unless passed in). */
  directory: string;
  /** Access key id and secret the server accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

/** s3rver's single built-in account; V4 signatures are not checked beyond the key id. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Starts s3rver (filesystem-backed) on a temp directory, silent, path-style only. */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3ServerHandle> {
  const ownDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'storefront-s3-')));
  const host = options.host ?? '127.0.0.1';
  const server = new S3rver({
    address: host,
    port: options.port ?? 0,
    silent: true,
    directory,
    // Any Host header then means path-style (`http://host:port/bucket/key`), whatever the name.
    vhostBuckets: false,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] })),
  });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (err) {
    if (ownDirectory) await rm(directory, { recursive: true, force: true });
    throw err;
  }

  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    const httpServer = (server as unknown as { httpServer?: Server }).httpServer;
    httpServer?.closeAllConnections();
    await server.close();
    if (ownDirectory) await rm(directory, { recursive: true, force: true });
  };
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    directory,
    credentials: { ...S3RVER_CREDENTIALS },
    stop: () => (stopped ??= stop()),
  };
}
