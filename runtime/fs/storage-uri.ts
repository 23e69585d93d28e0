import { isAbsolute, relative, resolve, sep } from 'node:path';
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

/**
 * Why `target` (a savepoint target directory) lies outside the configured checkpoint storage, or
 * null when it lies inside: the same bucket below the prefix, or the same directory or below. A
 * savepoint holds the whole job state, so it may go only where the job's own storage is.
 */
export function outsideConfiguredStorage(target: string, storage: CheckpointStorageConfig, cwd: string = process.cwd()): string | null {
  const root = parseStorageUri(configuredStorageUri(storage, cwd), cwd);
  const wanted = parseStorageUri(target, cwd);
  if (root.scheme === 's3' && wanted.scheme === 's3') {
    if (wanted.bucket !== root.bucket) return `bucket "${wanted.bucket}" is not the configured checkpoint bucket "${root.bucket}"`;
    const inside = root.prefix === '' || wanted.prefix === root.prefix || wanted.prefix.startsWith(`${root.prefix}/`);
    return inside ? null : `"${target}" is not below the configured checkpoint storage s3://${joinPath(root.bucket, root.prefix)}`;
  }
  if (root.scheme === 'file' && wanted.scheme === 'file') {
    const path = relative(root.directory, wanted.directory);
    const inside = path === '' || (!isAbsolute(path) && path !== '..' && !path.startsWith(`..${sep}`));
    return inside ? null : `"${target}" is not below the configured checkpoint directory ${root.directory}`;
  }
  return `"${target}" is ${wanted.scheme === 's3' ? 'in S3' : 'a filesystem path'}, but the configured checkpoint storage is ${root.scheme === 's3' ? 'in S3' : 'a filesystem directory'}`;
}
