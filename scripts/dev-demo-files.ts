// Demo files for `make dev`: stored in S3 like uploads and attached to the demo products.
import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Connection } from 'mongoose';
import {
  createS3Client,
  creatorModel,
  productModel,
  provisionBucket,
  type Config,
} from '@storefront/shared';
import { DEMO_USERNAME } from './seed-demo.ts';

// A one-page PDF so the demo's checkout → download flow has something to deliver.
const DEMO_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/**
 * Gives every demo product without a file the demo PDF (stored like an upload: SSE, random key).
 * `provision`: create and configure the files and images buckets first (for an external
 * S3_ENDPOINT; the local s3rver stand-in was started with both already).
 */
export async function attachDemoFiles(
  conn: Connection,
  config: Config,
  provision: boolean,
): Promise<number> {
  const s3 = createS3Client(config);
  if (provision) {
    await provisionBucket(s3, config.S3_BUCKET, { strict: false });
    await provisionBucket(s3, config.S3_IMAGES_BUCKET, { strict: false });
  }
  const creator = await creatorModel(conn).findOne({ username: DEMO_USERNAME }).lean();
  if (!creator) return 0;
  const products = await productModel(conn)
    .find({ creatorId: creator._id, file: { $exists: false } })
    .lean();
  for (const product of products) {
    const key = `products/${String(product._id)}/${randomBytes(16).toString('hex')}`;
    await s3.send(
      new PutObjectCommand({
        Bucket: config.S3_BUCKET,
        Key: key,
        Body: DEMO_PDF,
        ContentType: 'application/pdf',
        ServerSideEncryption: 'AES256',
      }),
    );
    await productModel(conn).updateOne(
      { _id: product._id },
      {
        $set: {
          file: {
            key,
            name: 'demo.pdf',
            contentType: 'application/pdf',
            size: DEMO_PDF.length,
            uploadedAt: new Date(),
          },
        },
      },
    );
  }
  s3.destroy();
  return products.length;
}
