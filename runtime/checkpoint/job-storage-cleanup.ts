import type { ObjectStore } from '../fs/object-store.ts';
import { StorageError } from '../fs/storage-error.ts';
import { checkRelativePath, directoryPrefix } from '../fs/storage-path.ts';
import { jobDirectory, METADATA_FILE, type JobScope } from './storage-layout.ts';

/** What {@link deleteJobStorage} deleted. */
export interface JobStorageCleanupResult {
  /** Files deleted, per prefix as given. */
  readonly deleted: Readonly<Record<string, number>>;
}

/**
 * Deletes what lies below the given prefixes of a job's storage folder (`<namespace>/<job-name>/`),
 * e.g. `<uid>-` (every run of one StreamJob) or `savepoints/sp-1700000000000/`: a prefix names keys,
 * as in S3, so `<uid>-` matches the folders `<uid>-1`, `<uid>-2`, .... Nothing outside the job's folder
 * can be named: a prefix is relative, without empty, `.` or `..` segments. Every `_metadata` goes
 * first, so a checkpoint or savepoint that is half deleted never looks complete. Deleting what is
 * gone already deletes nothing, so a cleanup may be repeated.
 */
export async function deleteJobStorage(storage: ObjectStore, scope: JobScope, prefixes: readonly string[]): Promise<JobStorageCleanupResult> {
  for (const prefix of prefixes) {
    if (prefix === '' || prefix.startsWith('/')) throw new StorageError('invalid-path', `Invalid cleanup prefix "${prefix}": expected a non-empty path relative to the job's folder`);
    checkRelativePath(prefix.replace(/\/$/, ''), 'cleanup prefix');
  }
  const parent = directoryPrefix(jobDirectory(scope));
  const files = (await storage.list(jobDirectory(scope))).map((entry) => entry.path);
  const deleted: Record<string, number> = Object.fromEntries(prefixes.map((p) => [p, 0]));
  const doomed = files.filter((path) => prefixes.some((prefix) => path.slice(parent.length).startsWith(prefix)));
  const metadataFirst = [...doomed.filter((p) => p.endsWith(`/${METADATA_FILE}`)), ...doomed.filter((p) => !p.endsWith(`/${METADATA_FILE}`))];
  for (const path of metadataFirst) {
    await storage.delete(path);
    const relative = path.slice(parent.length);
    for (const prefix of prefixes) if (relative.startsWith(prefix)) deleted[prefix]! += 1;
  }
  return { deleted };
}
