// Image processing benchmark: `node apps/api/bench/images.bench.ts` (prints figures; not a test).
//
// Times what one cover upload costs in CPU: the header checks and the processing run (decode,
// orient, resize to 160/320/640/960, AVIF + WebP each) of a 2000×1500 photo-like JPEG, with the
// API's own settings (configureSharp: one libvips thread, no cache; one run at a time). Storage
// and HTTP are left out: they are I/O, not the part that competes with the storefront for CPU.
// Options (env): BENCH_ROUNDS (5), BENCH_WIDTH (2000), BENCH_HEIGHT (1500).
import { loadavg } from 'node:os';
import sharp from 'sharp';
import { loadConfig } from '@storefront/shared';
import { configureSharp, ImageProcessor } from '../src/images/image-processor.ts';
import { WorkQueue } from '../src/images/work-queue.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const width = Number(process.env.BENCH_WIDTH ?? 2000);
const height = Number(process.env.BENCH_HEIGHT ?? 1500);
const config = loadConfig({});

configureSharp();
const processor = new ImageProcessor({
  maxPixels: config.IMAGE_MAX_PIXELS,
  queue: new WorkQueue({ concurrency: 1, maxWaiting: 1 }),
  observe: () => {},
});

// Fine-grained noise, lightly blurred: about as hard to encode as a detailed photo.
const photo = await sharp({
  create: {
    width,
    height,
    channels: 3,
    background: { r: 0, g: 0, b: 0 },
    noise: { type: 'gaussian', mean: 128, sigma: 45 },
  },
})
  .blur(0.8)
  .jpeg({ quality: 88 })
  .toBuffer();

const times: number[] = [];
let outBytes = 0;
for (let i = 0; i < rounds; i++) {
  const start = performance.now();
  const image = await processor.inspect(photo, 'image/jpeg');
  const { variants } = await processor.process(image, 'cover');
  times.push(performance.now() - start);
  outBytes = variants.reduce((n, v) => n + v.body.length, 0);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] ?? 0;
const [l1, l5, l15] = loadavg().map((l) => l.toFixed(2));
console.log(
  JSON.stringify({
    source: `${width}x${height} JPEG, ${(photo.length / 1024).toFixed(0)} KiB`,
    variants: `8 (AVIF+WebP x 160/320/640/960), ${(outBytes / 1024).toFixed(0)} KiB in all`,
    rounds,
    medianMs: Math.round(median),
    minMs: Math.round(times[0] ?? 0),
    maxMs: Math.round(times.at(-1) ?? 0),
    loadAverage: `${l1} ${l5} ${l15}`,
  }),
);
