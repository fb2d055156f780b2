// Images for the image tests, made in code (sharp and zlib) so the repository carries no binaries.
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Pure red and pure blue, to tell which half of a photo ended up where. */
export const RED = { r: 255, g: 0, b: 0 };
export const BLUE = { r: 0, g: 0, b: 255 };

/** Marks written into the test photo's EXIF, to look for in outputs. */
export const EXIF_MARKS = { make: 'TestCam-9000', datum: 'WGS-84' } as const;

/**
 * A camera-style JPEG stored 1200×800 (left half red, right half blue) with EXIF orientation 6
 * (shown turned 90° clockwise: 800×1200, red on top) and GPS coordinates in its EXIF.
 */
export async function orientedJpegWithGps(): Promise<Buffer> {
  const red = await sharp({ create: { width: 600, height: 800, channels: 3, background: RED } })
    .png()
    .toBuffer();
  return sharp({ create: { width: 1200, height: 800, channels: 3, background: BLUE } })
    .composite([{ input: red, left: 0, top: 0 }])
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: EXIF_MARKS.make },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '12/1 58/1 30/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '77/1 35/1 40/1',
        GPSMapDatum: EXIF_MARKS.datum,
      },
    })
    .toBuffer();
}

/** A photo-like JPEG (smooth noise) of the given size, for timing and size checks. */
export async function photoJpeg(width: number, height: number, seed = 40): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: 0, g: 0, b: 0 },
      noise: { type: 'gaussian', mean: 128, sigma: seed },
    },
  })
    .blur(2)
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** A PNG with an alpha channel, in one colour. */
export async function png(
  width: number,
  height: number,
  background: { r: number; g: number; b: number; alpha?: number } = { ...BLUE, alpha: 0.5 },
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background } })
    .png()
    .toBuffer();
}

/** A WebP in one colour. */
export async function webp(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: RED } })
    .webp()
    .toBuffer();
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid black PNG of any size that stays tiny: 1-bit greyscale, rows of zeros deflated
 * (20000×20000 is ~50 MB of rows, ~50 kB compressed). The decompression bomb of the tests.
 */
export function solidPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(1, 8); // bit depth
  ihdr.writeUInt8(0, 9); // greyscale
  const rowBytes = 1 + Math.ceil(width / 8); // filter byte + packed pixels
  const idat = deflateSync(Buffer.alloc(rowBytes * height), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG whose header is fine and whose pixel data is cut off halfway. */
export async function truncatedPng(): Promise<Buffer> {
  const whole = await sharp({
    create: {
      width: 300,
      height: 200,
      channels: 3,
      background: { r: 0, g: 0, b: 0 },
      noise: { type: 'gaussian', mean: 128, sigma: 50 },
    },
  })
    .png()
    .toBuffer();
  return whole.subarray(0, Math.floor(whole.length / 2));
}
