// Creates and locks down the buckets: `node scripts/provision-bucket.ts [bucket]` (default: both
// S3_BUCKET, private product files, and S3_IMAGES_BUCKET, public images that are still served
// only through the API's /img/ route or a CDN in front of it, never read from the bucket by
// browsers). Public access blocked, non-TLS access denied by policy, AES-256 default encryption.
// With NODE_ENV=production a setting the server cannot apply is an error.
import {
  createLogger,
  createS3Client,
  loadConfigOrExit,
  provisionBucket,
} from '@storefront/shared';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, service: 'provision-bucket' });
const arg = process.argv[2];
const buckets = arg === undefined ? [config.S3_BUCKET, config.S3_IMAGES_BUCKET] : [arg];
const s3 = createS3Client(config);
try {
  for (const bucket of buckets) {
    try {
      const report = await provisionBucket(s3, bucket, {
        strict: config.NODE_ENV === 'production',
        logger,
      });
      logger.info('bucket provisioned', { ...report });
    } catch (err) {
      logger.error('bucket provisioning failed', { bucket, err });
      process.exitCode = 1;
    }
  }
} finally {
  s3.destroy();
}
