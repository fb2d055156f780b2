import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Logger } from '../logging/logger.ts';

/** What provisionBucket did: settings applied, and settings the server does not implement. */
export interface BucketProvisionReport {
  bucket: string;
  created: boolean;
  applied: string[];
  unsupported: string[];
}

/** A policy that refuses every request made without TLS, whoever makes it. */
export function denyInsecureTransportPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}

function isNotImplemented(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'NotImplemented' ||
    e.Code === 'NotImplemented' ||
    e.name === 'MethodNotAllowed' ||
    e.$metadata?.httpStatusCode === 501
  );
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404;
}

/**
 * Creates `bucket` if missing and locks it down: all four public-access blocks on, a policy
 * denying non-TLS access, and AES-256 default encryption. Idempotent. A server that does not
 * implement a setting (local S3 stand-ins) gets a warning, unless `strict` (production), where
 * it is an error: a production bucket must never run without these guarantees.
 */
export async function provisionBucket(
  s3: S3Client,
  bucket: string,
  opts: { strict?: boolean; logger?: Logger } = {},
): Promise<BucketProvisionReport> {
  const report: BucketProvisionReport = { bucket, created: false, applied: [], unsupported: [] };

  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const region = await s3.config.region();
    try {
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          // us-east-1 is the one region that must not be named as a location constraint.
          ...(region && region !== 'us-east-1'
            ? {
                CreateBucketConfiguration: {
                  LocationConstraint: region as BucketLocationConstraint,
                },
              }
            : {}),
        }),
      );
      report.created = true;
    } catch (createErr) {
      // Another process created it between our HEAD and CREATE.
      if ((createErr as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw createErr;
    }
  }

  const steps: Array<[string, () => Promise<unknown>]> = [
    [
      'public-access-block',
      () =>
        s3.send(
          new PutPublicAccessBlockCommand({
            Bucket: bucket,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              IgnorePublicAcls: true,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
          }),
        ),
    ],
    [
      'deny-insecure-transport-policy',
      () =>
        s3.send(
          new PutBucketPolicyCommand({
            Bucket: bucket,
            Policy: denyInsecureTransportPolicy(bucket),
          }),
        ),
    ],
    [
      'default-encryption-aes256',
      () =>
        s3.send(
          new PutBucketEncryptionCommand({
            Bucket: bucket,
            ServerSideEncryptionConfiguration: {
              Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
            },
          }),
        ),
    ],
  ];

  for (const [name, run] of steps) {
    try {
      await run();
      report.applied.push(name);
    } catch (err) {
      if (!isNotImplemented(err)) throw err;
      if (opts.strict) {
        throw new Error(`bucket ${bucket}: the S3 server does not implement ${name}`, {
          cause: err,
        });
      }
      report.unsupported.push(name);
      opts.logger?.warn('bucket setting not supported by this S3 server; skipped', {
        bucket,
        setting: name,
      });
    }
  }
  return report;
}
