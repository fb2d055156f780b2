// Re-encrypts every creator's Razorpay secrets with the active encryption key:
// `npm run rotate-keys [-- --batch-size=200]`.
//
// Rotation: add the new key to ENCRYPTION_KEYS (`old:…,new:…`), set ENCRYPTION_ACTIVE_KEY_ID=new
// and deploy (new writes use it, old values still decrypt); run this script; once it reports
// nothing left to rotate and no failures, remove the old key. Safe to run any number of times and
// while the API serves traffic (each write is conditional on the value it replaces).
import {
  createFieldCipher,
  createLogger,
  createMongoConnection,
  loadConfigOrExit,
  RazorpayAccountRepository,
  rotateRazorpaySecrets,
} from '@storefront/shared';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, service: 'rotate-encryption-key' });
const batchArg = process.argv.find((a) => a.startsWith('--batch-size='))?.split('=')[1];
const batchSize = batchArg === undefined ? 200 : Number(batchArg);
if (!Number.isInteger(batchSize) || batchSize < 1) {
  logger.error('--batch-size must be a positive integer', { batchSize: batchArg });
  process.exit(64); // EX_USAGE
}

let cipher;
try {
  cipher = createFieldCipher(config);
} catch (err) {
  logger.error('encryption keys are unusable', { err });
  process.exit(78); // EX_CONFIG
}
const mongo = await createMongoConnection({
  url: config.MONGO_URL,
  poolSize: 2,
  serverSelectionTimeoutMS: config.MONGO_SERVER_SELECTION_TIMEOUT_MS,
  logger,
});
try {
  const report = await rotateRazorpaySecrets({
    accounts: new RazorpayAccountRepository(mongo),
    cipher,
    logger,
    batchSize,
  });
  logger.info('rotation finished', { activeKeyId: cipher.activeKeyId, ...report });
  process.stdout.write(
    `active key ${cipher.activeKeyId}: scanned ${report.scanned}, rotated ${report.rotated}, ` +
      `already current ${report.alreadyCurrent}, changed concurrently ${report.skipped}, ` +
      `failed ${report.failed}\n`,
  );
  if (report.failed > 0) process.exitCode = 1;
} catch (err) {
  logger.error('rotation failed', { err });
  process.exitCode = 1;
} finally {
  await mongo.close();
}
