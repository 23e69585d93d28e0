import type { CheckpointStorageConfig } from '../config/config-schema.ts';
import type { ObjectStore } from './object-store.ts';
import { StorageError } from './storage-error.ts';
import { FilesystemObjectStore } from './filesystem-object-store.ts';
import { resolveS3Credentials, type S3Credentials, type S3CredentialsProvider } from './s3-credentials.ts';
import { S3ObjectStore, S3_STORAGE_DEFAULTS } from './s3-object-store.ts';
import { configuredStorageUri, parseStorageUri } from './storage-uri.ts';

export interface S3ConnectionOptions {
  /** Default: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, else AWS S3 itself. */
  endpoint?: string;
  /** Default: AWS_REGION, then AWS_DEFAULT_REGION, else us-east-1. */
  region?: string;
  forcePathStyle?: boolean;
  /** Given credentials, or a provider asked at the first request (missing credentials then fail requests, not the opening). */
  credentials?: S3Credentials | S3CredentialsProvider;
  /** A mounted Secret directory; see s3-credentials.ts for the file names. */
  credentialsDirectory?: string;
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  partSize?: number;
  queueSize?: number;
  listPageSize?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens the storage of a process configuration (`checkpointing.storage`). S3 credentials are looked
 * up at the first request, not here: a JobManager or TaskManager without them (a Secret not mounted
 * yet, a key missing) starts, and the job fails or its checkpoints are declined with the reason,
 * naming bucket and endpoint, in the log and over REST — instead of a process that exits at start.
 */
export async function openConfiguredStorage(storage: CheckpointStorageConfig, cwd: string = process.cwd()): Promise<ObjectStore> {
  const uri = configuredStorageUri(storage, cwd);
  if (!('s3' in storage)) return openObjectStore(uri);
  const { endpoint, region, forcePathStyle, credentialsDirectory } = storage.s3;
  const credentials = () => resolveS3Credentials({ credentialsDirectory, env: process.env });
  return openObjectStore(uri, { endpoint, region, forcePathStyle, credentials });
}

/**
 * Opens the storage a URI names: a directory, or an S3 bucket reached with the given connection
 * settings, falling back to the standard AWS environment variables.
 */
export async function openObjectStore(uri: string, s3: S3ConnectionOptions = {}): Promise<ObjectStore> {
  const location = parseStorageUri(uri);
  if (location.scheme === 'file') return new FilesystemObjectStore(location.directory);
  const env = s3.env ?? process.env;
  const endpoint = s3.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new StorageError('invalid-config', `Invalid S3 endpoint "${endpoint}" for bucket "${location.bucket}": expected http://host:port or https://host`);
  }
  return new S3ObjectStore({
    bucket: location.bucket,
    prefix: location.prefix,
    endpoint: endpoint?.replace(/\/+$/, ''),
    region: s3.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? S3_STORAGE_DEFAULTS.region,
    forcePathStyle: s3.forcePathStyle ?? S3_STORAGE_DEFAULTS.forcePathStyle,
    credentials:
      typeof s3.credentials === 'function' ? s3.credentials : await resolveS3Credentials({ credentials: s3.credentials, credentialsDirectory: s3.credentialsDirectory, env }),
    maxAttempts: s3.maxAttempts ?? S3_STORAGE_DEFAULTS.maxAttempts,
    connectionTimeoutMs: s3.connectionTimeoutMs ?? S3_STORAGE_DEFAULTS.connectionTimeoutMs,
    requestTimeoutMs: s3.requestTimeoutMs ?? S3_STORAGE_DEFAULTS.requestTimeoutMs,
    partSize: s3.partSize ?? S3_STORAGE_DEFAULTS.partSize,
    queueSize: s3.queueSize ?? S3_STORAGE_DEFAULTS.queueSize,
    listPageSize: s3.listPageSize ?? S3_STORAGE_DEFAULTS.listPageSize,
  });
}
