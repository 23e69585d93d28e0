import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CheckpointStorageConfig } from '../config/config-schema.ts';
import { StorageError } from './storage-error.ts';
import { joinPath } from './storage-path.ts';

/**
 * Checkpoint storage URIs: `s3://bucket/prefix`, `file:///absolute/path`, or a plain filesystem path.
 */
export type StorageUri = { scheme: 's3'; bucket: string; prefix: string } | { scheme: 'file'; directory: string };

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseStorageUri(uri: string, cwd: string = process.cwd()): StorageUri {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (uri.trim() === '') throw invalid(uri, 'it is empty');
    return { scheme: 'file', directory: isAbsolute(uri) ? resolve(uri) : resolve(cwd, uri) };
  }
  if (scheme === 'file') {
    try {
      return { scheme: 'file', directory: resolve(fileURLToPath(uri)) };
    } catch (error) {
      throw invalid(uri, (error as Error).message);
    }
  }
  if (scheme === 's3') {
    const rest = uri.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (!BUCKET_NAME.test(bucket)) {
      throw invalid(uri, `"${bucket}" is not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)`);
    }
    if (prefix.split('/').some((segment) => segment === '.' || segment === '..' || (segment === '' && prefix !== ''))) {
      throw invalid(uri, `the prefix "${prefix}" has an empty, "." or ".." segment`);
    }
    return { scheme: 's3', bucket, prefix };
  }
  throw invalid(uri, `unsupported scheme "${scheme}"`);
}

/** The storage URI a process configuration names: `s3://bucket/prefix` or the directory's file URL. */
export function configuredStorageUri(storage: CheckpointStorageConfig, cwd: string = process.cwd()): string {
  return 's3' in storage ? `s3://${joinPath(storage.s3.bucket, storage.s3.prefix.replace(/^\/+|\/+$/g, ''))}` : pathToFileURL(resolve(cwd, storage.filesystem.path)).href;
}

function invalid(uri: string, why: string): StorageError {
  return new StorageError('invalid-uri', `Invalid checkpoint storage URI "${uri}": ${why}; expected s3://bucket/prefix, file:///path or a filesystem path`);
}
