import { randomBytes } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '@storefront/devstack/test-harness';
import { createS3Client, creatorModel, productModel, type ProductFile } from '@storefront/shared';
import { TokenService } from '../src/auth/token.service.ts';
import { startCheckedApi } from '@storefront/test-support';
import type { RunningApi } from '../src/server.ts';
import * as files from './uploads/file-fixtures.ts';

const MAX = 64 * 1024;
let api: RunningApi;
let s3: S3Client;
let bucket: string;

interface Seeded {
  creatorId: string;
  token: string;
}

async function seedCreator(): Promise<Seeded> {
  const id = new Types.ObjectId();
  const username = `up${randomBytes(5).toString('hex')}`;
  await creatorModel(api.deps.mongo).create({
    _id: id,
    username,
    email: `${username}@example.test`,
    passwordHash: 'x',
    displayName: 'Uploader',
  });
  const token = await new TokenService(api.deps.config).issue(id.toHexString());
  return { creatorId: id.toHexString(), token };
}

async function seedProduct(
  creatorId: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const doc = await productModel(api.deps.mongo).create({
    creatorId: new Types.ObjectId(creatorId),
    title: 'Guide',
    price: 49_900,
    ...extra,
  });
  return doc._id.toHexString();
}

function upload(
  productId: string,
  body: Buffer,
  opts: { token?: string; type?: string; name?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {
    'Content-Type': opts.type ?? 'application/pdf',
    'X-File-Name': encodeURIComponent(opts.name ?? 'guide.pdf'),
    ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
    ...opts.headers,
  };
  return fetch(`${api.url}/api/v1/me/products/${productId}/file`, {
    method: 'POST',
    headers,
    body,
  });
}

async function storedFile(productId: string): Promise<ProductFile | undefined> {
  const p = await productModel(api.deps.mongo).findById(productId).lean().exec();
  return p?.file ?? undefined;
}

async function objectsUnder(productId: string): Promise<string[]> {
  const out = await s3.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: `products/${productId}/` }),
  );
  return (out.Contents ?? []).map((o) => o.Key ?? '');
}

beforeAll(async () => {
  api = await startCheckedApi(testConfig({ UPLOAD_MAX_BYTES: String(MAX) }));
  s3 = createS3Client(api.deps.config);
  bucket = api.deps.config.S3_BUCKET;
});

afterAll(async () => {
  s3.destroy();
  await api.close();
});

describe('POST /api/v1/me/products/:id/file', () => {
  it('when a creator uploads a PDF to their product, then it is stored under an unguessable key and the product points at it', async () => {
    const { creatorId, token } = await seedCreator();
    const productId = await seedProduct(creatorId);
    const body = files.pdf(20_000);
    const res = await upload(productId, body, { token, name: 'Mon guide ₹.pdf' });
    expect(res.status).toBe(201);
    const json = (await res.json()) as { file: Record<string, unknown> };
    expect(json.file).toMatchObject({
      name: 'Mon guide ₹.pdf',
      contentType: 'application/pdf',
      size: 20_000,
    });
    expect(JSON.stringify(json)).not.toContain('products/');

    const file = await storedFile(productId);
    expect(file?.key).toMatch(new RegExp(`^products/${productId}/[0-9a-f]{32}$`));
    expect(file).toMatchObject({
      name: 'Mon guide ₹.pdf',
      contentType: 'application/pdf',
      size: 20_000,
    });
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: file?.key }));
    expect(Buffer.from(await obj.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(obj.ContentType).toBe('application/pdf');
  });

  it('when a new file replaces an old one, then the product points at the new one and the old object is kept for earlier buyers', async () => {
    const { creatorId, token } = await seedCreator();
    const productId = await seedProduct(creatorId);
    expect((await upload(productId, files.pdf(), { token })).status).toBe(201);
    const first = await storedFile(productId);
    expect(
      (await upload(productId, files.zip(), { token, type: 'application/zip', name: 'b.zip' }))
        .status,
    ).toBe(201);
    const second = await storedFile(productId);
    expect(second?.key).not.toBe(first?.key);
    expect(second?.contentType).toBe('application/zip');
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: first?.key })),
    ).resolves.toMatchObject({ ContentType: 'application/pdf' });
    expect((await objectsUnder(productId)).sort()).toEqual([first?.key, second?.key].sort());
  });

  it.each([
    ['png', files.png, 'image/png', 'cover.png'],
    ['jpeg', files.jpeg, 'image/jpeg', 'photo.JPG'],
    ['zip (Windows MIME)', files.zip, 'application/x-zip-compressed', 'pack.zip'],
    ['epub', files.epub, 'application/epub+zip', 'book.epub'],
    ['mp4', files.mp4, 'video/mp4', 'talk.mp4'],
    ['mp3', files.mp3, 'audio/mpeg', 'song.mp3'],
  ])('when the file is a real %s, then it is accepted', async (_n, make, type, name) => {
    const { creatorId, token } = await seedCreator();
    const productId = await seedProduct(creatorId);
    const res = await upload(productId, make(), { token, type, name });
    expect(res.status).toBe(201);
  });

  it.each([
    ['PNG bytes declared as a PDF', files.png, 'application/pdf', 'a.pdf'],
    ['HTML declared as a PDF', files.html, 'application/pdf', 'a.pdf'],
    ['an executable declared as a ZIP', files.exe, 'application/zip', 'a.zip'],
    ['a PDF named .exe', files.pdf, 'application/pdf', 'a.exe'],
    ['a PDF named .html', files.pdf, 'application/pdf', 'a.pdf.html'],
    ['a PDF without an extension', files.pdf, 'application/pdf', 'guide'],
    ['an EPUB declared as a ZIP', files.epub, 'application/zip', 'a.zip'],
    ['HTML declared as HTML', files.html, 'text/html', 'a.html'],
    ['an SVG type', files.html, 'image/svg+xml', 'a.svg'],
    ['no Content-Type', files.pdf, '', 'a.pdf'],
  ])(
    'when uploading %s, then it is refused with 415 and nothing is stored',
    async (_n, make, type, name) => {
      const { creatorId, token } = await seedCreator();
      const productId = await seedProduct(creatorId);
      const res = await upload(productId, make(), { token, type, name });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'UNSUPPORTED_MEDIA_TYPE',
      );
      expect(await storedFile(productId)).toBeUndefined();
      expect(await objectsUnder(productId)).toEqual([]);
    },
  );

  it('when the file is larger than UPLOAD_MAX_BYTES, then it is refused with 413 JSON and nothing is stored', async () => {
    const { creatorId, token } = await seedCreator();
    const productId = await seedProduct(creatorId);
    const res = await upload(productId, files.pdf(MAX + 1), { token });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    expect(await objectsUnder(productId)).toEqual([]);
  });

  it('when the product belongs to another creator, then it is 404 and their file is untouched', async () => {
    const owner = await seedCreator();
    const intruder = await seedCreator();
    const productId = await seedProduct(owner.creatorId);
    expect((await upload(productId, files.pdf(), { token: owner.token })).status).toBe(201);
    const before = await storedFile(productId);
    const res = await upload(productId, files.pdf(), { token: intruder.token });
    expect(res.status).toBe(404);
    expect(await storedFile(productId)).toEqual(before);
    expect(await objectsUnder(productId)).toEqual([before?.key]);
  });

  it.each([
    ['a missing product', () => new Types.ObjectId().toHexString()],
    ['a malformed id', () => 'not-an-id'],
    ['an operator-looking id', () => '%24ne'],
  ])('when the id is %s, then it is 404', async (_n, id) => {
    const { token } = await seedCreator();
    const res = await upload(id(), files.pdf(), { token });
    expect(res.status).toBe(404);
  });

  it('when the product was deleted, then it is 404', async () => {
    const { creatorId, token } = await seedCreator();
    const productId = await seedProduct(creatorId, { deletedAt: new Date() });
    expect((await upload(productId, files.pdf(), { token })).status).toBe(404);
  });

  it('when no token is sent, then it is 401 and nothing is stored', async () => {
    const { creatorId } = await seedCreator();
    const productId = await seedProduct(creatorId);
    const res = await upload(productId, files.pdf());
    expect(res.status).toBe(401);
    expect(await objectsUnder(productId)).toEqual([]);
  });

  it.each([
    ['no X-File-Name', { 'X-File-Name': '' }],
    ['a path in X-File-Name', { 'X-File-Name': encodeURIComponent('../../etc/passwd.pdf') }],
    ['broken percent-encoding', { 'X-File-Name': '%E0%A4%A.pdf' }],
  ])('when the request has %s, then it is 400', async (_n, headers) => {
    const { creatorId, token } = await seedCreator();
    const productId = await seedProduct(creatorId);
    const res = await upload(productId, files.pdf(), { token, headers });
    expect(res.status).toBe(400);
    expect(await objectsUnder(productId)).toEqual([]);
  });

  it('when the body is streamed without Content-Length, then it is 411', async () => {
    const { creatorId, token } = await seedCreator();
    const productId = await seedProduct(creatorId);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(files.pdf());
        controller.close();
      },
    });
    const res = await fetch(`${api.url}/api/v1/me/products/${productId}/file`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/pdf',
        'X-File-Name': 'a.pdf',
      },
      body,
      duplex: 'half',
    });
    expect(res.status).toBe(411);
  });
});

describe('POST /api/v1/me/products/:id/file when S3 is unreachable', () => {
  it('when the file cannot be stored, then it is 503 JSON and the product is unchanged', async () => {
    const down = await startCheckedApi(
      testConfig({ UPLOAD_MAX_BYTES: String(MAX), S3_ENDPOINT: 'http://127.0.0.1:1' }),
    );
    try {
      const id = new Types.ObjectId();
      await creatorModel(down.deps.mongo).create({
        _id: id,
        username: `s3down${randomBytes(4).toString('hex')}`,
        email: `s3down${randomBytes(4).toString('hex')}@example.test`,
        passwordHash: 'x',
        displayName: 'S3 down',
      });
      const product = await productModel(down.deps.mongo).create({
        creatorId: id,
        title: 'Guide',
        price: 49_900,
      });
      const token = await new TokenService(down.deps.config).issue(id.toHexString());
      const res = await fetch(`${down.url}/api/v1/me/products/${product._id.toHexString()}/file`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/pdf',
          'X-File-Name': 'a.pdf',
        },
        body: files.pdf(),
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'SERVICE_UNAVAILABLE',
      );
      const after = await productModel(down.deps.mongo).findById(product._id).lean().exec();
      expect(after?.file).toBeUndefined();
    } finally {
      await down.close();
    }
  });
});
