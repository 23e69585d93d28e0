import type { S3ConnectionOptions } from './open-object-store.ts';

let configured: S3ConnectionOptions = {};

export function setProcessS3Connection(options: S3ConnectionOptions): void {
  configured = { ...options };
}

/**
 * The S3 connection of this process's configuration, set once at start (as Flink's
 * FileSystem.initialize): job code that opens s3:// URIs in a TaskManager — the S3 sink — reaches
 * the endpoint, region and credentials of checkpoint storage without repeating them in the job.
 *
 * Empty unless the process was configured with S3 checkpoint storage (then: AWS environment defaults apply).
 */
export function processS3Connection(): S3ConnectionOptions {
  return configured;
}
