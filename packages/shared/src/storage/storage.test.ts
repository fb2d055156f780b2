import { HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import winston from 'winston';
import Transport from 'winston-transport';
import { loadConfig } from '../config/config.ts';
import { provisionBucket } from './bucket-provisioner.ts';
import { contentDisposition, createS3Client, presignDownloadUrl, safeFileName } from './s3.ts';

const config = loadConfig({
  NODE_ENV: 'test',
  S3_ENDPOINT: inject('s3Endpoint'),
  S3_FORCE_PATH_STYLE: 'true',
  S3_BUCKET: 'storefront-test',
});
const s3 = createS3Client(config);
const uniqueBucket = () =>
  `prov-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

class MemoryTransport extends Transport {
  readonly lines: Array<Record<string, unknown>> = [];
  override log(info: Record<string, unknown>, next: () => void): void {
    this.lines.push(info);
    next();
  }
}

afterAll(() => {
  s3.destroy();
});

describe('presignDownloadUrl', () => {
  it('when asked for more than 15 minutes, then the URL expires after 900 s', async () => {
    const url = new URL(await presignDownloadUrl(s3, 'storefront-test', 'a/b.pdf', 3600));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
  });

  it('when asked for a short TTL, then that TTL is signed', async () => {
    const url = new URL(await presignDownloadUrl(s3, 'storefront-test', 'a/b.pdf', 60));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
  });

  it('when the URL is fetched, then the file downloads as an attachment under its name', async () => {
    const key = `presign/${Date.now()}`;
    await s3.send(
      new PutObjectCommand({
        Bucket: 'storefront-test',
        Key: key,
        Body: 'hello',
        ServerSideEncryption: 'AES256',
      }),
    );
    const url = await presignDownloadUrl(s3, 'storefront-test', key, 60, {
      fileName: 'Guide "v2" ₹.pdf',
    });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello');
    expect(res.headers.get('content-disposition')).toBe(contentDisposition('Guide "v2" ₹.pdf'));
  });

  it('when a file name has quotes and non-ASCII, then quotes are removed and the UTF-8 name goes through filename*', () => {
    expect(contentDisposition('Guide "v2" ₹.pdf')).toBe(
      `attachment; filename="Guide v2 _.pdf"; filename*=UTF-8''Guide%20v2%20%E2%82%B9.pdf`,
    );
    expect(contentDisposition(undefined)).toBe('attachment');
  });

  it('when a file name carries path separators, control or bidi characters, then they are removed', () => {
    expect(safeFileName('../../etc/passwd')).toBe('etcpasswd');
    expect(safeFileName('C:\\temp\\demo.pdf')).toBe('C:tempdemo.pdf');
    expect(safeFileName('a\r\nb\u0000c\u0085.pdf')).toBe('abc.pdf');
    expect(safeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(safeFileName("  .hidden creator's guide.pdf.  ")).toBe("hidden creator's guide.pdf");
    expect(safeFileName('x'.repeat(300))).toHaveLength(200);
    expect(contentDisposition('/\\..')).toBe('attachment');
    expect(contentDisposition('a\r\nSet-Cookie: x=1.pdf')).toBe(
      `attachment; filename="aSet-Cookie: x=1.pdf"; filename*=UTF-8''aSet-Cookie%3A%20x%3D1.pdf`,
    );
  });
});

describe('provisionBucket', () => {
  it('when the bucket is missing, then it is created, and a second run changes nothing', async () => {
    const bucket = uniqueBucket();
    const first = await provisionBucket(s3, bucket);
    expect(first.created).toBe(true);
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
    const second = await provisionBucket(s3, bucket);
    expect(second.created).toBe(false);
  });

  it('when the S3 server lacks public-access blocks, policies and default encryption (s3rver), then dev warns and skips them', async () => {
    const transport = new MemoryTransport();
    const logger = winston.createLogger({ transports: [transport] });
    const report = await provisionBucket(s3, uniqueBucket(), { logger });
    expect(report.unsupported).toEqual([
      'public-access-block',
      'deny-insecure-transport-policy',
      'default-encryption-aes256',
    ]);
    expect(transport.lines.filter((l) => l.level === 'warn')).toHaveLength(3);
  });

  it('when strict (production) and the server lacks a setting, then provisioning fails naming it', async () => {
    await expect(provisionBucket(s3, uniqueBucket(), { strict: true })).rejects.toThrow(
      /does not implement public-access-block/,
    );
  });
});
