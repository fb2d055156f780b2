import { describe, expect, it } from 'vitest';
import type { ImageRef } from '@storefront/shared';
import { parseImageName } from './image-names.ts';
import { imageUrls } from './public-image.ts';

const hash = '0123456789abcdef0123456789abcdef';
const cover: ImageRef = {
  hash,
  width: 960,
  height: 640,
  widths: [160, 320, 640, 960],
  formats: ['avif', 'webp'],
};

describe('imageUrls', () => {
  it('when a reference has every width and format, then each format gets a srcset (AVIF first) and the fallback is the 640 px WebP', () => {
    expect(imageUrls(undefined)(cover)).toEqual({
      width: 960,
      height: 640,
      sources: [
        {
          type: 'image/avif',
          srcset: `/img/${hash}-160.avif 160w, /img/${hash}-320.avif 320w, /img/${hash}-640.avif 640w, /img/${hash}-960.avif 960w`,
        },
        {
          type: 'image/webp',
          srcset: `/img/${hash}-160.webp 160w, /img/${hash}-320.webp 320w, /img/${hash}-640.webp 640w, /img/${hash}-960.webp 960w`,
        },
      ],
      src: `/img/${hash}-640.webp`,
    });
  });

  it('when PUBLIC_IMAGES_BASE_URL is set, then every URL starts with it', () => {
    const image = imageUrls('https://cdn.example.com/img')(cover);
    expect(image?.src).toBe(`https://cdn.example.com/img/${hash}-640.webp`);
    for (const s of image?.sources ?? []) {
      for (const entry of s.srcset.split(', ')) {
        expect(entry.startsWith(`https://cdn.example.com/img/${hash}-`)).toBe(true);
      }
    }
  });

  it('when every variant is smaller than 640 px, or larger, then the fallback is the largest at most 640 px, else the smallest', () => {
    const small = imageUrls(undefined)({
      ...cover,
      width: 300,
      height: 300,
      widths: [96, 192, 300],
    });
    expect(small?.src).toBe(`/img/${hash}-300.webp`);
    const big = imageUrls(undefined)({ ...cover, widths: [800, 960] });
    expect(big?.src).toBe(`/img/${hash}-800.webp`);
  });

  it('when there is no image, then null', () => {
    expect(imageUrls(undefined)(undefined)).toBeNull();
    expect(imageUrls(undefined)(null)).toBeNull();
  });

  it('when a URL is built, then its name parses back to the same hash, width and format', () => {
    const name = imageUrls(undefined)(cover)?.src.split('/').at(-1) ?? '';
    expect(parseImageName(name)).toEqual({ hash, width: 640, format: 'webp' });
  });
});

describe('parseImageName', () => {
  it.each([
    'x.webp',
    `${hash}-160.png`,
    `${hash}-0160.webp`,
    `${hash}-0.webp`,
    `${hash}-123456.webp`,
    `${hash.toUpperCase()}-160.webp`,
    `${hash}-160.webp/`,
    `../${hash}-160.webp`,
    `${hash}-160.avif.webp`,
  ])('when the name is %s, then it is not an image name', (name) => {
    expect(parseImageName(name)).toBeUndefined();
  });
});
