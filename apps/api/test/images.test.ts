import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig, uniqueName } from '@storefront/devstack/test-harness';
import { createS3Client, productModel, provisionBucket } from '@storefront/shared';
import type { RunningApi } from '../src/server.ts';
import {
  call,
  metric,
  signup,
  startTestApi,
  type TestCreator,
  startCheckedApi,
} from '@storefront/test-support';
import * as images from './images/image-fixtures.ts';

const MAX_BYTES = 2 * 1024 * 1024;
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface PublicImage {
  width: number;
  height: number;
  sources: Array<{ type: string; srcset: string }>;
  src: string;
}

interface Storefront {
  creator: { avatar: PublicImage | null; avatarUrl: string | null };
  products: Array<{ id: string; image: PublicImage | null; coverImageUrl: string | null }>;
}

let api: RunningApi;
let s3: S3Client;

// An images bucket of its own: the refusal tests count the bucket's objects, and other test files
// running beside this one upload images into the shared default bucket.
const IMAGES_BUCKET = uniqueName('images').replaceAll('_', '-');

beforeAll(async () => {
  const overrides = { IMAGE_MAX_BYTES: String(MAX_BYTES), S3_IMAGES_BUCKET: IMAGES_BUCKET };
  s3 = createS3Client(testConfig(overrides));
  await provisionBucket(s3, IMAGES_BUCKET);
  api = await startTestApi(overrides);
});

afterAll(async () => {
  s3.destroy();
  await api.close();
});

async function createProduct(c: TestCreator, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call(api, 'POST', '/api/v1/me/products', {
    token: c.token,
    body: { title: 'Zine', price: 19_900, status: 'active', ...extra },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

function put(
  path: string,
  body: Buffer,
  opts: { token?: string; type?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${api.url}${path}`, {
    method: 'PUT',
    headers: {
      'Content-Type': opts.type ?? 'image/jpeg',
      ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body,
  });
}

const coverPath = (productId: string) => `/api/v1/me/products/${productId}/image`;

async function uploadCover(c: TestCreator, productId: string, body: Buffer, type = 'image/jpeg') {
  const res = await put(coverPath(productId), body, { token: c.token, type });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { image: PublicImage }).image;
}

async function storefront(c: TestCreator): Promise<Storefront> {
  const res = await fetch(`${api.url}/api/v1/store/${c.username}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Storefront;
}

/** Every `[url, width]` of every srcset, with the format's type. */
function variantsOf(image: PublicImage): Array<{ url: string; width: number; type: string }> {
  return image.sources.flatMap((s) =>
    s.srcset.split(', ').map((entry) => {
      const [url, w] = entry.split(' ') as [string, string];
      expect(w).toMatch(/^\d+w$/);
      return { url, width: Number.parseInt(w, 10), type: s.type };
    }),
  );
}

async function imageObjectCount(): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({
        Bucket: api.deps.config.S3_IMAGES_BUCKET,
        Prefix: 'img/',
        ContinuationToken: token,
      }),
    );
    count += out.KeyCount ?? 0;
    token = out.NextContinuationToken;
  } while (token);
  return count;
}

async function fetchImage(url: string, init?: RequestInit) {
  const res = await fetch(`${api.url}${url}`, init);
  const body = Buffer.from(await res.arrayBuffer());
  return { res, body };
}

describe('PUT /api/v1/me/products/:id/image', () => {
  it('when a camera JPEG with EXIF orientation and GPS is uploaded, then the storefront lists upright, metadata-free AVIF and WebP variants at the declared widths, served immutable', async () => {
    const c = await signup(api);
    const productId = await createProduct(c);
    const source = await images.orientedJpegWithGps();
    const meta = await sharp(source).metadata();
    expect(meta.orientation).toBe(6);
    expect(meta.exif?.includes(images.EXIF_MARKS.datum)).toBe(true);

    const uploaded = await uploadCover(c, productId, source);
    // Stored 1200×800, shown turned: 800×1200, narrower than 960 so it keeps its own width.
    expect(uploaded).toMatchObject({ width: 800, height: 1200 });
    expect(uploaded.sources.map((s) => s.type)).toEqual(['image/avif', 'image/webp']);
    const hash = /\/img\/([0-9a-f]{32})-/.exec(uploaded.src)?.[1];
    expect(hash).toBeDefined();
    expect(uploaded.sources[0]?.srcset).toBe(
      [160, 320, 640, 800].map((w) => `/img/${hash}-${w}.avif ${w}w`).join(', '),
    );
    expect(uploaded.src).toBe(`/img/${hash}-640.webp`);

    const store = await storefront(c);
    expect(store.products[0]?.image).toEqual(uploaded);
    expect(store.products[0]?.coverImageUrl).toBeNull();
    const own = await call(api, 'GET', `/api/v1/me/products/${productId}`, { token: c.token });
    expect(((await own.json()) as { image: PublicImage }).image).toEqual(uploaded);

    const variants = variantsOf(uploaded);
    expect(variants).toHaveLength(8);
    for (const v of variants) {
      const { res, body } = await fetchImage(v.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(v.type);
      expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
      expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}-\d+\.(avif|webp)"$/);
      expect(res.headers.get('content-length')).toBe(String(body.length));
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      const out = await sharp(body).metadata();
      expect(out.format).toBe(v.type === 'image/avif' ? 'heif' : 'webp');
      expect(out.width).toBe(v.width);
      expect(out.height).toBe(Math.round((1200 * v.width) / 800));
      // Nothing the camera wrote survives: no EXIF (so no GPS), no XMP, IPTC or orientation.
      expect(out.exif).toBeUndefined();
      expect(out.xmp).toBeUndefined();
      expect(out.iptc).toBeUndefined();
      expect(out.orientation).toBeUndefined();
      expect(body.includes(images.EXIF_MARKS.datum)).toBe(false);
      expect(body.includes(images.EXIF_MARKS.make)).toBe(false);
    }

    // Upright: the red half (stored on the left) is on top, the blue half at the bottom.
    const { body: largest } = await fetchImage(`/img/${hash}-800.webp`);
    const { data, info } = await sharp(largest).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => {
      const i = (y * info.width + x) * info.channels;
      return { r: data[i] ?? 0, g: data[i + 1] ?? 0, b: data[i + 2] ?? 0 };
    };
    expect(pixel(400, 100).r).toBeGreaterThan(200);
    expect(pixel(400, 100).b).toBeLessThan(60);
    expect(pixel(400, 1100).b).toBeGreaterThan(200);
    expect(pixel(400, 1100).r).toBeLessThan(60);
    expect(await metric(api, 'image_uploads_total', { kind: 'cover', outcome: 'stored' })).toBe(1);
  });

  it('when a PNG with transparency and a WebP are uploaded, then both are accepted, wide ones capped at 960 px', async () => {
    const c = await signup(api);
    const productId = await createProduct(c);
    const fromPng = await uploadCover(c, productId, await images.png(1000, 600), 'image/png');
    expect(fromPng).toMatchObject({ width: 960, height: 576 });
    expect(variantsOf(fromPng).map((v) => v.width)).toEqual([
      160, 320, 640, 960, 160, 320, 640, 960,
    ]);
    const { body } = await fetchImage(fromPng.src);
    expect((await sharp(body).metadata()).hasAlpha).toBe(true);

    const fromWebp = await uploadCover(c, productId, await images.webp(120, 90), 'image/webp');
    // Smaller than every target width: one variant per format, at its own size.
    expect(fromWebp).toMatchObject({ width: 120, height: 90 });
    expect(fromWebp.sources[1]?.srcset).toMatch(/^\/img\/[0-9a-f]{32}-120\.webp 120w$/);
  });

  it('when the creator uploads different content, then the image gets a new hash URL, the old URL still serves, and a storefront read right after the response shows the new one', async () => {
    const c = await signup(api);
    const productId = await createProduct(c);
    const first = await uploadCover(c, productId, await images.photoJpeg(640, 480, 30));
    // Warm every cache tier with the first version.
    expect((await storefront(c)).products[0]?.image).toEqual(first);
    expect((await storefront(c)).products[0]?.image).toEqual(first);

    const second = await uploadCover(c, productId, await images.photoJpeg(640, 480, 60));
    expect(second.src).not.toBe(first.src);
    expect((await storefront(c)).products[0]?.image).toEqual(second);

    const old = await fetchImage(first.src);
    expect(old.res.status).toBe(200);
    const now = await fetchImage(second.src);
    expect(now.res.status).toBe(200);
    expect(old.body.equals(now.body)).toBe(false);
  });

  it('when the same bytes are uploaded twice, then the URLs are the same (content-addressed)', async () => {
    const c = await signup(api);
    const productId = await createProduct(c);
    const photo = await images.photoJpeg(400, 300);
    const first = await uploadCover(c, productId, photo);
    const again = await uploadCover(c, productId, photo);
    expect(again).toEqual(first);
  });

  it('when the cover is deleted, then the storefront and the product show none, and its URLs keep serving', async () => {
    const c = await signup(api);
    const productId = await createProduct(c);
    const image = await uploadCover(c, productId, await images.photoJpeg(500, 500));
    expect((await storefront(c)).products[0]?.image).not.toBeNull();

    const res = await call(api, 'DELETE', coverPath(productId), { token: c.token });
    expect(res.status).toBe(204);
    expect((await storefront(c)).products[0]?.image).toBeNull();
    const own = await call(api, 'GET', `/api/v1/me/products/${productId}`, { token: c.token });
    expect(((await own.json()) as { image: unknown }).image).toBeNull();
    expect((await fetchImage(image.src)).res.status).toBe(200);
  });

  describe('refusals store nothing', () => {
    async function expectRefused(
      res: Response,
      status: number,
      code: string,
      productId: string,
      objectsBefore: number,
    ): Promise<Record<string, unknown>> {
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { code: string } & Record<string, unknown> };
      expect(body.error.code).toBe(code);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const product = await productModel(api.deps.mongo).findById(productId).lean();
      expect(product?.image).toBeUndefined();
      expect(await imageObjectCount()).toBe(objectsBefore);
      return body.error;
    }

    it('when there is no token, then 401', async () => {
      const c = await signup(api);
      const productId = await createProduct(c);
      const before = await imageObjectCount();
      const res = await put(coverPath(productId), await images.photoJpeg(100, 100));
      await expectRefused(res, 401, 'UNAUTHORIZED', productId, before);
    });

    it("when the product is another creator's (or no product), then 404", async () => {
      const owner = await signup(api);
      const other = await signup(api);
      const productId = await createProduct(owner);
      const before = await imageObjectCount();
      const photo = await images.photoJpeg(100, 100);
      const res = await put(coverPath(productId), photo, { token: other.token });
      await expectRefused(res, 404, 'NOT_FOUND', productId, before);
      const missing = await put(coverPath('0123456789abcdef01234567'), photo, {
        token: other.token,
      });
      expect(missing.status).toBe(404);
    });

    it('when text claims to be a PNG, then 415', async () => {
      const c = await signup(api);
      const productId = await createProduct(c);
      const before = await imageObjectCount();
      const res = await put(coverPath(productId), Buffer.from('hello, this is not a picture\n'), {
        token: c.token,
        type: 'image/png',
      });
      const error = await expectRefused(res, 415, 'UNSUPPORTED_MEDIA_TYPE', productId, before);
      expect(error.details).toEqual({ declared: 'image/png', detected: 'unknown' });
    });

    it('when a PNG is declared as JPEG, then 415 naming both types', async () => {
      const c = await signup(api);
      const productId = await createProduct(c);
      const before = await imageObjectCount();
      const res = await put(coverPath(productId), await images.png(50, 50), {
        token: c.token,
        type: 'image/jpeg',
      });
      const error = await expectRefused(res, 415, 'UNSUPPORTED_MEDIA_TYPE', productId, before);
      expect(error.details).toEqual({ declared: 'image/jpeg', detected: 'image/png' });
    });

    it("when the declared type is not an accepted image type, then 415 before ownership is looked at (even for another's product)", async () => {
      const owner = await signup(api);
      const other = await signup(api);
      const productId = await createProduct(owner);
      const before = await imageObjectCount();
      const gif = await sharp({
        create: { width: 10, height: 10, channels: 3, background: images.RED },
      })
        .gif()
        .toBuffer();
      const res = await put(coverPath(productId), gif, { token: other.token, type: 'image/gif' });
      await expectRefused(res, 415, 'UNSUPPORTED_MEDIA_TYPE', productId, before);
      const svg = await put(coverPath(productId), Buffer.from('<svg/>'), {
        token: owner.token,
        type: 'image/svg+xml',
      });
      expect(svg.status).toBe(415);
    });

    it('when the body is larger than IMAGE_MAX_BYTES, then 413', async () => {
      const c = await signup(api);
      const productId = await createProduct(c);
      const before = await imageObjectCount();
      const res = await put(coverPath(productId), Buffer.alloc(MAX_BYTES + 1, 0xff), {
        token: c.token,
      });
      await expectRefused(res, 413, 'PAYLOAD_TOO_LARGE', productId, before);
    });

    it('when the body has no Content-Length, then 411', async () => {
      const c = await signup(api);
      const productId = await createProduct(c);
      const before = await imageObjectCount();
      const photo = await images.photoJpeg(100, 100);
      const res = await fetch(`${api.url}${coverPath(productId)}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'image/jpeg' },
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(photo);
            controller.close();
          },
        }),
        duplex: 'half',
      });
      await expectRefused(res, 411, 'LENGTH_REQUIRED', productId, before);
    });

    it.each([
      [20_000, 20_000],
      [10_000, 5_000],
    ])(
      'when a tiny PNG declares %i×%i pixels (a decompression bomb), then 422 from its header, without processing it',
      async (width, height) => {
        const c = await signup(api);
        const productId = await createProduct(c);
        const before = await imageObjectCount();
        const bomb = images.solidPng(width, height);
        expect(bomb.length).toBeLessThan(MAX_BYTES);
        expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({
          width,
          height,
        });
        const processed = await metric(api, 'image_processing_seconds_count');
        const refused = { kind: 'cover', outcome: 'too_many_pixels' };
        const refusals = await metric(api, 'image_uploads_total', refused);
        const res = await put(coverPath(productId), bomb, { token: c.token, type: 'image/png' });
        const error = await expectRefused(res, 422, 'IMAGE_TOO_LARGE', productId, before);
        expect(error.details).toMatchObject({ width, height, maxPixels: 40_000_000 });
        // Refused from the header: no processing run (not even a failed one) was recorded.
        expect(await metric(api, 'image_processing_seconds_count')).toBe(processed);
        expect(await metric(api, 'image_uploads_total', refused)).toBe(refusals + 1);
      },
    );

    it('when one side is longer than the maximum (a 17000 px strip, few pixels), then 422', async () => {
      const c = await signup(api);
      const productId = await createProduct(c);
      const before = await imageObjectCount();
      const res = await put(coverPath(productId), images.solidPng(17_000, 8), {
        token: c.token,
        type: 'image/png',
      });
      await expectRefused(res, 422, 'IMAGE_TOO_LARGE', productId, before);
    });

    it('when the image data is corrupt (a PNG cut in half), then 422', async () => {
      const c = await signup(api);
      const productId = await createProduct(c);
      const before = await imageObjectCount();
      const res = await put(coverPath(productId), await images.truncatedPng(), {
        token: c.token,
        type: 'image/png',
      });
      await expectRefused(res, 422, 'INVALID_IMAGE', productId, before);
    });
  });
});

describe('PUT /api/v1/me/avatar', () => {
  it('when a creator uploads an avatar, then it is cropped square at up to 384 px, shown on /me and the storefront, and DELETE removes it', async () => {
    const c = await signup(api);
    // Warm the storefront cache, so the upload must invalidate it.
    expect((await storefront(c)).creator.avatar).toBeNull();
    const res = await put('/api/v1/me/avatar', await images.photoJpeg(500, 300), {
      token: c.token,
    });
    expect(res.status).toBe(200);
    const { avatar } = (await res.json()) as { avatar: PublicImage };
    expect(avatar).toMatchObject({ width: 300, height: 300 });
    expect(variantsOf(avatar).map((v) => v.width)).toEqual([96, 192, 300, 96, 192, 300]);
    for (const v of variantsOf(avatar)) {
      const { res: img, body } = await fetchImage(v.url);
      expect(img.status).toBe(200);
      const meta = await sharp(body).metadata();
      expect([meta.width, meta.height]).toEqual([v.width, v.width]);
      expect(meta.exif).toBeUndefined();
    }
    expect((await storefront(c)).creator.avatar).toEqual(avatar);
    const me = await call(api, 'GET', '/api/v1/me', { token: c.token });
    expect(((await me.json()) as { avatar: PublicImage }).avatar).toEqual(avatar);

    const large = await put('/api/v1/me/avatar', await images.photoJpeg(1000, 1400), {
      token: c.token,
    });
    const { avatar: big } = (await large.json()) as { avatar: PublicImage };
    expect(big).toMatchObject({ width: 384, height: 384 });

    const removed = await call(api, 'DELETE', '/api/v1/me/avatar', { token: c.token });
    expect(removed.status).toBe(204);
    expect((await storefront(c)).creator.avatar).toBeNull();
    expect((await fetchImage(big.src)).res.status).toBe(200);
  });

  it('when the avatar upload has no token, then 401', async () => {
    const res = await put('/api/v1/me/avatar', await images.photoJpeg(100, 100));
    expect(res.status).toBe(401);
  });
});

describe('GET /img/:name', () => {
  let image: PublicImage;
  beforeAll(async () => {
    const c = await signup(api);
    image = await uploadCover(c, await createProduct(c), await images.photoJpeg(700, 500));
  });

  it('when the ETag is sent back, then 304 with no body; HEAD gives the headers without the body', async () => {
    const first = await fetchImage(image.src);
    const etag = first.res.headers.get('etag') as string;
    const again = await fetchImage(image.src, { headers: { 'If-None-Match': etag } });
    expect(again.res.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.res.headers.get('etag')).toBe(etag);
    expect(again.res.headers.get('cache-control')).toBe(IMMUTABLE);

    const head = await fetchImage(image.src, { method: 'HEAD' });
    expect(head.res.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.res.headers.get('content-length')).toBe(String(first.body.length));
    expect(head.res.headers.get('content-type')).toBe('image/webp');
  });

  it('when an image is read again, then it comes from memory', async () => {
    const url = image.sources[0]?.srcset.split(' ')[0] as string;
    const hits = await metric(api, 'image_cache_hits_total');
    const misses = await metric(api, 'image_cache_misses_total');
    expect((await fetchImage(url)).res.status).toBe(200);
    expect((await fetchImage(url)).res.status).toBe(200);
    expect(await metric(api, 'image_cache_hits_total')).toBeGreaterThanOrEqual(hits + 1);
    expect(await metric(api, 'image_cache_misses_total')).toBeLessThanOrEqual(misses + 1);
  });

  it('when the name is malformed, then 400 JSON; when it names no image, then 404 JSON; neither is cacheable', async () => {
    for (const bad of ['nope.webp', `${'a'.repeat(32)}-0.webp`, `${'a'.repeat(32)}-160.png`]) {
      const res = await fetch(`${api.url}/img/${bad}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'VALIDATION_ERROR',
      );
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const missing = await fetch(`${api.url}/img/${'0'.repeat(32)}-160.webp`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect(missing.headers.get('cache-control')).toBe('no-store');
  });

  it('when a client loads 300 images within a minute under the default public limit, then none is refused and its public budget is untouched', async () => {
    // An API with every rate limit at its default (the shared one sets them out of the way).
    const limited = await startCheckedApi(testConfig({ S3_IMAGES_BUCKET: IMAGES_BUCKET }));
    try {
      expect(limited.deps.config.RATE_LIMIT_PUBLIC_PER_MIN).toBe(100);
      const urls = variantsOf(image).map((v) => v.url);
      const statuses = new Map<number, number>();
      let policy: string | null = null;
      for (let i = 0; i < 300; i++) {
        const res = await fetch(`${limited.url}${urls[i % urls.length]}`);
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        policy = res.headers.get('ratelimit-policy');
      }
      expect(Object.fromEntries(statuses)).toEqual({ 200: 300 });
      expect(policy).toMatch(/^"images"; q=3000; w=60;/);
      const page = await fetch(`${limited.url}/api/v1/store/nobody-here`);
      expect(page.headers.get('ratelimit')).toMatch(/^"public"; r=99;/);
    } finally {
      await limited.close();
    }
  });
});
