// Opens the storage a URI names: a directory, or an S3 bucket reached with the given connection
// settings, falling back to the standard AWS environment variables.
import type { CheckpointStorage } from './checkpoint-storage.ts';
import { CheckpointStorageError } from './checkpoint-storage-error.ts';
import { FilesystemCheckpointStorage } from './filesystem-storage.ts';
import { resolveS3Credentials, type S3Credentials } from './s3-credentials.ts';
import { S3CheckpointStorage, S3_STORAGE_DEFAULTS } from './s3-storage.ts';
import { parseStorageUri } from './storage-uri.ts';

export interface S3ConnectionOptions {
  /** Default: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, else AWS S3 itself. */
  endpoint?: string;
  /** Default: AWS_REGION, then AWS_DEFAULT_REGION, else us-east-1. */
  region?: string;
  forcePathStyle?: boolean;
  credentials?: S3Credentials;
  /** A mounted Secret directory; see s3-credentials.ts for the file names. */
  credentialsDirectory?: string;
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  partSize?: number;
  queueSize?: number;
  env?: NodeJS.ProcessEnv;
}

export async function openCheckpointStorage(uri: string, s3: S3ConnectionOptions = {}): Promise<CheckpointStorage> {
  const location = parseStorageUri(uri);
  if (location.scheme === 'file') return new FilesystemCheckpointStorage(location.directory);
  const env = s3.env ?? process.env;
  const endpoint = s3.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new CheckpointStorageError('invalid-config', `Invalid S3 endpoint "${endpoint}" for bucket "${location.bucket}": expected http://host:port or https://host`);
  }
  return new S3CheckpointStorage({
    bucket: location.bucket,
    prefix: location.prefix,
    endpoint: endpoint?.replace(/\/+$/, ''),
    region: s3.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? S3_STORAGE_DEFAULTS.region,
    forcePathStyle: s3.forcePathStyle ?? S3_STORAGE_DEFAULTS.forcePathStyle,
    credentials: await resolveS3Credentials({ credentials: s3.credentials, credentialsDirectory: s3.credentialsDirectory, env }),
    maxAttempts: s3.maxAttempts ?? S3_STORAGE_DEFAULTS.maxAttempts,
    connectionTimeoutMs: s3.connectionTimeoutMs ?? S3_STORAGE_DEFAULTS.connectionTimeoutMs,
    requestTimeoutMs: s3.requestTimeoutMs ?? S3_STORAGE_DEFAULTS.requestTimeoutMs,
    partSize: s3.partSize ?? S3_STORAGE_DEFAULTS.partSize,
    queueSize: s3.queueSize ?? S3_STORAGE_DEFAULTS.queueSize,
  });
}
