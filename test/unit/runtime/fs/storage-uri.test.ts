import { describe, expect, it } from '@jest/globals';
import { configuredStorageUri, parseStorageUri, outsideConfiguredStorage } from '../../../../runtime/fs/storage-uri.ts';

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

describe('outsideConfiguredStorage', () => {
  const s3 = { s3: { bucket: 'checkpoints', prefix: 'sluice' } };
  const fs = { filesystem: { path: 'state' } };

  it('accepts targets at or below the configured storage', () => {
    expect(['s3://checkpoints/sluice', 's3://checkpoints/sluice/', 's3://checkpoints/sluice/ns/job/savepoints'].map((t) => outsideConfiguredStorage(t, s3))).toEqual([null, null, null]);
    expect(['/work/state', 'file:///work/state/sp', 'state/sp', '/work/state/a/../b'].map((t) => outsideConfiguredStorage(t, fs, '/work'))).toEqual([null, null, null, null]);
  });

  it('says why a target elsewhere is refused', () => {
    expect(outsideConfiguredStorage('s3://other/sluice', s3)).toBe('bucket "other" is not the configured checkpoint bucket "checkpoints"');
    expect(outsideConfiguredStorage('s3://checkpoints/sluice-other/x', s3)).toBe('"s3://checkpoints/sluice-other/x" is not below the configured checkpoint storage s3://checkpoints/sluice');
    expect(outsideConfiguredStorage('/work/state/../etc', fs, '/work')).toBe('"/work/state/../etc" is not below the configured checkpoint directory /work/state');
    expect(outsideConfiguredStorage('/work/state-other', fs, '/work')).toBe('"/work/state-other" is not below the configured checkpoint directory /work/state');
    expect(outsideConfiguredStorage('/tmp/x', s3)).toBe('"/tmp/x" is a filesystem path, but the configured checkpoint storage is in S3');
    expect(() => outsideConfiguredStorage('s3://checkpoints/sluice/../x', s3)).toThrow('the prefix "sluice/../x" has an empty, "." or ".." segment');
  });
});
