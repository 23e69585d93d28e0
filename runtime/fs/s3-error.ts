import { StorageError } from './storage-error.ts';

export interface S3ErrorContext {
  bucket: string;
  /** The endpoint as configured, or a description of the AWS default. */
  endpoint: string;
  /** What the failed operation addressed. */
  uri: string;
  /** Only a read can fail because an object is missing. */
  operation: 'read' | 'write' | 'list' | 'delete';
  attempts: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  stallTimeoutMs: number;
}

const ACCESS_DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden', 'InvalidToken', 'ExpiredToken']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/**
 * Turns AWS SDK failures into StorageErrors that name the bucket and endpoint and say
 * what to do, instead of bare S3 error codes.
 */
export function toStorageError(error: unknown, context: S3ErrorContext): StorageError {
  const where = `S3 bucket "${context.bucket}" at ${context.endpoint}`;
  if (error instanceof StorageError) {
    // Credentials looked up per request (S3CredentialsProvider) failed: say for which bucket.
    return error.reason === 'no-credentials' ? new StorageError('no-credentials', `${where}: ${error.message}`, { cause: error }) : error;
  }
  const e = (error ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? '';
  if (ACCESS_DENIED.has(name) || status === 403) {
    return new StorageError('access-denied', `${where}: access denied (check credentials)`, { cause: error });
  }
  if (name === 'NoSuchBucket') {
    return new StorageError('no-such-bucket', `${where}: bucket does not exist`, { cause: error });
  }
  if (context.operation === 'read' && (name === 'NoSuchKey' || status === 404)) {
    return new StorageError('not-found', `Checkpoint file "${context.uri}" does not exist`, { cause: error });
  }
  if (name === 'TimeoutError' || e.code === 'ETIMEDOUT' || name === 'RequestTimeout') {
    const what = e.message?.includes('establish a connection')
      ? `did not accept a connection within ${context.connectionTimeoutMs} ms`
      : e.message?.includes('inactivity')
        ? `stalled: no data for ${context.stallTimeoutMs} ms`
        : `did not answer within ${context.requestTimeoutMs} ms`;
    return new StorageError('timeout', `S3 endpoint ${context.endpoint} ${what} (bucket "${context.bucket}", ${attempts(e, context)})`, { cause: error });
  }
  // The SDK wraps errors from another realm (a vm context, as in jest) into one that keeps only the message.
  const code = e.code ?? /\b(E[A-Z_]+)\b/.exec(e.message ?? '')?.[1] ?? name;
  if (UNREACHABLE.has(code)) {
    return new StorageError('unreachable', `S3 endpoint ${context.endpoint} is unreachable (bucket "${context.bucket}", ${code}, ${attempts(e, context)})`, { cause: error });
  }
  // 5xx (ServiceUnavailable, SlowDown, InternalError) after the SDK's own retries: the server is there but cannot serve now.
  if (status !== undefined && status >= 500) {
    return new StorageError('unavailable', `S3 endpoint ${context.endpoint} is unavailable: ${context.operation} of "${context.uri}" failed with HTTP ${status}${name && name !== 'UnknownError' ? ` ${name}` : ''} (${attempts(e, context)})`, { cause: error });
  }
  // The SDK says UnknownError when the answer carries no S3 error document: likely not an S3 server at all.
  if (e.message === 'UnknownError') {
    return new StorageError('io', `${where}: ${context.operation} failed with HTTP ${status ?? '?'} and no S3 error document (is it an S3 endpoint?)`, { cause: error });
  }
  return new StorageError('io', `${where}: ${context.operation} failed: ${name || 'error'}${e.message && e.message !== name ? `: ${e.message}` : ''}${status ? ` (HTTP ${status})` : ''}`, { cause: error });
}

function attempts(e: SdkError, context: S3ErrorContext): string {
  const n = e.$metadata?.attempts ?? context.attempts;
  return `${n} attempt${n === 1 ? '' : 's'}`;
}
