export { S3RVER_CREDENTIALS, startS3Server } from './s3-server.ts';
export type { S3ServerHandle, S3ServerOptions } from './s3-server.ts';
