import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3ServerHandle } from '../../src/s3/index.ts';

let s3: S3ServerHandle;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['preset-bucket'] });
  client = new S3Client({
    endpoint: s3.endpoint,
    region: 'ap-south-1',
    forcePathStyle: true,
    credentials: s3.credentials,
  });
});
afterAll(async () => {
  client.destroy();
  await s3.stop();
});

async function failure(promise: Promise<unknown>): Promise<S3ServiceException> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(S3ServiceException);
  return err as S3ServiceException;
}

describe('local S3 (s3rver)', () => {
  it('when an object is put with SSE AES256, then it reads back through a pre-signed URL over HTTP', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'uploads-test' }));
    await client.send(
      new PutObjectCommand({
        Bucket: 'uploads-test',
        Key: 'creators/c1/file.pdf',
        Body: Buffer.from('%PDF-1.7 hello'),
        ContentType: 'application/pdf',
        ServerSideEncryption: 'AES256',
      }),
    );
    const url = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: 'uploads-test', Key: 'creators/c1/file.pdf' }),
      { expiresIn: 300 },
    );
    expect(url).toContain('X-Amz-Expires=300');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(await res.text()).toBe('%PDF-1.7 hello');
  });

  it('when a pre-signed URL has expired, then the server refuses it with 403', async () => {
    await client.send(
      new PutObjectCommand({ Bucket: 'preset-bucket', Key: 'old.txt', Body: 'stale' }),
    );
    // Signed two minutes ago for 60 s: expired without waiting.
    const url = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: 'preset-bucket', Key: 'old.txt' }),
      { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) },
    );
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Request has expired');
  });

  it('when a bucket is listed in options, then it exists at start', async () => {
    await expect(
      client.send(new PutObjectCommand({ Bucket: 'preset-bucket', Key: 'a.txt', Body: 'a' })),
    ).resolves.toBeDefined();
    const head = await client.send(
      new HeadObjectCommand({ Bucket: 'preset-bucket', Key: 'a.txt' }),
    );
    expect(head.ContentLength).toBe(1);
  });

  it('documents what s3rver does not do: no SSE echo, no public access block, no bucket policy, no auth on unsigned reads', async () => {
    const put = await client.send(
      new PutObjectCommand({
        Bucket: 'preset-bucket',
        Key: 'sse.txt',
        Body: 'x',
        ServerSideEncryption: 'AES256',
      }),
    );
    // Real S3 answers x-amz-server-side-encryption: AES256; s3rver accepts the header and ignores it.
    expect(put.ServerSideEncryption).toBeUndefined();

    const block = await failure(
      client.send(
        new PutPublicAccessBlockCommand({
          Bucket: 'preset-bucket',
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        }),
      ),
    );
    expect(block.name).toBe('NotImplemented');
    const policy = await failure(
      client.send(new PutBucketPolicyCommand({ Bucket: 'preset-bucket', Policy: '{}' })),
    );
    expect(policy.name).toBe('NotImplemented');

    // An unsigned GET is served: s3rver has no notion of private objects.
    const unsigned = await fetch(`${s3.endpoint}/preset-bucket/sse.txt`);
    expect(unsigned.status).toBe(200);

    // V4 signatures are not verified: only the access key id must be S3RVER.
    const wrongSecret = new S3Client({
      endpoint: s3.endpoint,
      region: 'ap-south-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'not-the-secret' },
    });
    const wrongKey = new S3Client({
      endpoint: s3.endpoint,
      region: 'ap-south-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'SOMEONE', secretAccessKey: 'S3RVER' },
    });
    try {
      await expect(
        wrongSecret.send(new HeadObjectCommand({ Bucket: 'preset-bucket', Key: 'sse.txt' })),
      ).resolves.toBeDefined();
      const denied = await failure(
        wrongKey.send(new PutObjectCommand({ Bucket: 'preset-bucket', Key: 'n.txt', Body: 'n' })),
      );
      expect(denied.name).toBe('InvalidAccessKeyId');
    } finally {
      wrongSecret.destroy();
      wrongKey.destroy();
    }
  });

  it('when stopped, then the temp directory is gone; a given directory is kept', async () => {
    const own = await startS3Server({ buckets: ['b1'] });
    expect(existsSync(own.directory)).toBe(true);
    await own.stop();
    expect(existsSync(own.directory)).toBe(false);

    const given = await mkdtemp(join(tmpdir(), 'given-s3-'));
    try {
      const kept = await startS3Server({ directory: given, buckets: ['b2'] });
      await kept.stop();
      expect(existsSync(given)).toBe(true);
    } finally {
      await rm(given, { recursive: true, force: true });
    }
  });
});
