import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Config } from '../config/env.schema.ts';

/** Longest lifetime of a download link: files are reached only through short-lived URLs. */
export const MAX_DOWNLOAD_URL_TTL_SECONDS = 900;

/** An S3 client for the configured endpoint (AWS when S3_ENDPOINT is unset) and credentials. */
export function createS3Client(config: Config): S3Client {
  const custom = config.S3_ENDPOINT !== undefined;
  return new S3Client({
    region: config.S3_REGION,
    ...(custom ? { endpoint: config.S3_ENDPOINT } : {}),
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    credentials: {
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    },
    // S3-compatible servers (local s3rver, many appliances) reject the aws-chunked trailing
    // checksums the SDK sends by default; AWS itself verifies Content-MD5/SigV4 either way.
    ...(custom
      ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
  });
}

/**
 * A pre-signed GET URL for `key` valid for `ttlSeconds` (capped at 15 minutes), which makes the
 * browser save the file (`Content-Disposition: attachment`) under `fileName` when given.
 */
export async function presignDownloadUrl(
  s3: S3Client,
  bucket: string,
  key: string,
  ttlSeconds: number,
  opts: { fileName?: string } = {},
): Promise<string> {
  const expiresIn = Math.max(1, Math.min(Math.floor(ttlSeconds), MAX_DOWNLOAD_URL_TTL_SECONDS));
  const command = new GetObjectCommand({
    Bucket: bucket,
    Key: key,
    ResponseContentDisposition: contentDisposition(opts.fileName),
  });
  return getSignedUrl(s3, command, { expiresIn });
}

/**
 * `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / RFC 5987), after
 * `safeFileName`. A name with nothing left after cleaning gives a bare `attachment`.
 */
export function contentDisposition(fileName: string | undefined): string {
  const name = fileName === undefined ? '' : safeFileName(fileName);
  if (!name) return 'attachment';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

// Control characters (C0, DEL, C1), quotes, path separators and the Unicode bidi/format
// controls that can disguise an extension ("invoice\u202Efdp.exe").
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f"/\\\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A file name a browser can save as is: unsafe characters (see above) removed, surrounding
 * spaces and dots trimmed (no hidden or `..` names), at most 200 characters. May be empty.
 */
export function safeFileName(fileName: string): string {
  return fileName
    .normalize('NFC')
    .replace(UNSAFE_NAME_CHARS, '')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .replace(/^(.{200}).+$/u, '$1');
}
