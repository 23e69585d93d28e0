// Relative storage paths: '/'-separated, no empty, '.' or '..' segments, so that a path can never
// leave the storage root whether it becomes a file name or an S3 key.
import { StorageError } from './storage-error.ts';

export function checkRelativePath(path: string, what = 'path'): string {
  if (path === '') return path;
  const segments = path.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new StorageError('invalid-path', `Invalid checkpoint storage ${what} "${path}": expected a relative path of non-empty segments without "." or ".."`);
  }
  return path;
}

export function joinPath(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('/');
}

/** A directory name as a prefix that matches only paths below it. */
export function directoryPrefix(directory: string): string {
  return directory === '' ? '' : `${directory}/`;
}

/** A directory URI or path as recorded, without trailing slashes, so two spellings of one directory compare equal. */
export function withoutTrailingSlashes(path: string): string {
  return path.replace(/\/+$/, '');
}
