import { describe, expect, it } from '@jest/globals';
import { toStorageError, type S3ErrorContext } from '../../../../runtime/fs/s3-error.ts';

const context: S3ErrorContext = {
  bucket: 'checkpoints',
  endpoint: 'http://minio.minio:9000',
  uri: 's3://checkpoints/sluice/ns/job/run/checkpoints/chk-3/_metadata',
  operation: 'read',
  attempts: 3,
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 60000,
  stallTimeoutMs: 120000,
};

function sdkError(name: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, ...fields });
}

function translate(error: unknown, overrides: Partial<S3ErrorContext> = {}): [string, string] {
  const translated = toStorageError(error, { ...context, ...overrides });
  return [translated.reason, translated.message];
}

describe('toStorageError', () => {
  it('names bucket and endpoint for credential problems, whatever the S3 code', () => {
    for (const name of ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken']) {
      expect(translate(sdkError(name, { $metadata: { httpStatusCode: 403 } }))).toEqual(['access-denied', 'S3 bucket "checkpoints" at http://minio.minio:9000: access denied (check credentials)']);
    }
    // HEAD answers carry no body, so only the status tells.
    expect(translate(sdkError('Forbidden', { message: 'UnknownError', $metadata: { httpStatusCode: 403 } }))[0]).toBe('access-denied');
  });

  it('tells a missing bucket from a missing object', () => {
    expect(translate(sdkError('NoSuchBucket', { $metadata: { httpStatusCode: 404 } }))).toEqual(['no-such-bucket', 'S3 bucket "checkpoints" at http://minio.minio:9000: bucket does not exist']);
    expect(translate(sdkError('NoSuchKey', { $metadata: { httpStatusCode: 404 } }))).toEqual([
      'not-found',
      'Checkpoint file "s3://checkpoints/sluice/ns/job/run/checkpoints/chk-3/_metadata" does not exist',
    ]);
  });

  it('says which timeout expired', () => {
    const connect = sdkError('TimeoutError', { message: '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 3000 ms.', $metadata: { attempts: 3 } });
    expect(translate(connect)).toEqual(['timeout', 'S3 endpoint http://minio.minio:9000 did not accept a connection within 3000 ms (bucket "checkpoints", 3 attempts)']);
    const idle = sdkError('TimeoutError', { message: '@smithy/node-http-handler - the request socket timed out after 120000 ms of inactivity (configured by client requestHandler).' });
    expect(translate(idle)).toEqual(['timeout', 'S3 endpoint http://minio.minio:9000 stalled: no data for 120000 ms (bucket "checkpoints", 3 attempts)']);
    expect(translate(sdkError('TimeoutError', { $metadata: { attempts: 1 } }))).toEqual(['timeout', 'S3 endpoint http://minio.minio:9000 did not answer within 60000 ms (bucket "checkpoints", 1 attempt)']);
  });

  it('reports network failures as unreachable, also when the SDK keeps only the message', () => {
    expect(translate(Object.assign(new Error('getaddrinfo EAI_AGAIN minio.minio'), { code: 'EAI_AGAIN' }))).toEqual([
      'unreachable',
      'S3 endpoint http://minio.minio:9000 is unreachable (bucket "checkpoints", EAI_AGAIN, 3 attempts)',
    ]);
    expect(translate(new Error('AWS SDK error wrapper for Error: connect EHOSTUNREACH 10.0.0.1:9000'))[1]).toBe(
      'S3 endpoint http://minio.minio:9000 is unreachable (bucket "checkpoints", EHOSTUNREACH, 3 attempts)',
    );
  });

  it('reports 5xx answers as unavailable (transient: a restore retries rather than skipping the checkpoint)', () => {
    expect(translate(sdkError('SlowDown', { message: 'Please reduce your request rate.', $metadata: { httpStatusCode: 503, attempts: 3 } }), { operation: 'write' })).toEqual([
      'unavailable',
      'S3 endpoint http://minio.minio:9000 is unavailable: write of "s3://checkpoints/sluice/ns/job/run/checkpoints/chk-3/_metadata" failed with HTTP 503 SlowDown (3 attempts)',
    ]);
    expect(translate(sdkError('UnknownError', { $metadata: { httpStatusCode: 502, attempts: 1 } }))).toEqual([
      'unavailable',
      'S3 endpoint http://minio.minio:9000 is unavailable: read of "s3://checkpoints/sluice/ns/job/run/checkpoints/chk-3/_metadata" failed with HTTP 502 (1 attempt)',
    ]);
  });

  it('passes other S3 errors on with their code, operation and status', () => {
    expect(translate(sdkError('InvalidRequest', { message: 'Missing required header for this request: Content-MD5', $metadata: { httpStatusCode: 400 } }), { operation: 'delete' })).toEqual([
      'io',
      'S3 bucket "checkpoints" at http://minio.minio:9000: delete failed: InvalidRequest: Missing required header for this request: Content-MD5 (HTTP 400)',
    ]);
  });
});
