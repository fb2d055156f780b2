// Creates and locks down the files bucket: `node scripts/provision-bucket.ts [bucket]`
// (default S3_BUCKET). Public access blocked, non-TLS access denied by policy, AES-256 default
// encryption. With NODE_ENV=production a setting the server cannot apply is an error.
import {
  createLogger,
  createS3Client,
  loadConfigOrExit,
  provisionBucket,
} from '@storefront/shared';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, service: 'provision-bucket' });
const bucket = process.argv[2] ?? config.S3_BUCKET;
const s3 = createS3Client(config);
try {
  const report = await provisionBucket(s3, bucket, {
    strict: config.NODE_ENV === 'production',
    logger,
  });
  logger.info('bucket provisioned', { ...report });
} catch (err) {
  logger.error('bucket provisioning failed', { bucket, err });
  process.exitCode = 1;
} finally {
  s3.destroy();
}
