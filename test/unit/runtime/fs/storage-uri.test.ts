import { describe, expect, it } from '@jest/globals';
import { configuredStorageUri, parseStorageUri } from '../../../../runtime/fs/storage-uri.ts';

describe('parseStorageUri', () => {
  it('parses S3 URIs into bucket and prefix', () => {
    expect(parseStorageUri('s3://checkpoints')).toEqual({ scheme: 's3', bucket: 'checkpoints', prefix: '' });
    expect(parseStorageUri('s3://checkpoints/')).toEqual({ scheme: 's3', bucket: 'checkpoints', prefix: '' });
    expect(parseStorageUri('s3://my.bucket-1/sluice/prod/')).toEqual({ scheme: 's3', bucket: 'my.bucket-1', prefix: 'sluice/prod' });
  });

  it('parses file URIs and plain paths into directories', () => {
    expect(parseStorageUri('file:///var/lib/sluice/checkpoints')).toEqual({ scheme: 'file', directory: '/var/lib/sluice/checkpoints' });
    expect(parseStorageUri('/tmp/cp/')).toEqual({ scheme: 'file', directory: '/tmp/cp' });
    expect(parseStorageUri('state/cp', '/home/me/job')).toEqual({ scheme: 'file', directory: '/home/me/job/state/cp' });
  });

  it('names what is wrong with a bad URI', () => {
    const expected = '; expected s3://bucket/prefix, file:///path or a filesystem path';
    expect(() => parseStorageUri('hdfs://namenode/cp')).toThrow(`Invalid checkpoint storage URI "hdfs://namenode/cp": unsupported scheme "hdfs"${expected}`);
    expect(() => parseStorageUri('s3://Bad_Bucket/x')).toThrow(
      `Invalid checkpoint storage URI "s3://Bad_Bucket/x": "Bad_Bucket" is not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)${expected}`,
    );
    expect(() => parseStorageUri('s3://bucket/a//b')).toThrow(`Invalid checkpoint storage URI "s3://bucket/a//b": the prefix "a//b" has an empty, "." or ".." segment${expected}`);
    expect(() => parseStorageUri('s3://bucket/a/../b')).toThrow(`Invalid checkpoint storage URI "s3://bucket/a/../b": the prefix "a/../b" has an empty, "." or ".." segment${expected}`);
    expect(() => parseStorageUri(' ')).toThrow(`Invalid checkpoint storage URI " ": it is empty${expected}`);
  });

  it('names the storage of a process configuration', () => {
    expect(configuredStorageUri({ filesystem: { path: 'checkpoints' } }, '/home/me/job')).toBe('file:///home/me/job/checkpoints');
    expect(configuredStorageUri({ filesystem: { path: '/var/cp' } }, '/home/me/job')).toBe('file:///var/cp');
    expect(configuredStorageUri({ s3: { bucket: 'checkpoints', prefix: '' } })).toBe('s3://checkpoints');
    expect(configuredStorageUri({ s3: { bucket: 'checkpoints', prefix: '/sluice/prod/' } })).toBe('s3://checkpoints/sluice/prod');
  });
});
