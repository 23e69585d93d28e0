// Where checkpoints and savepoints live below a storage root (runtime/checkpoint/README.md):
//   <namespace>/<job-name>/<job-id>/checkpoints/chk-<n>/{_metadata, <operator-id>/<subtask>}
//   <namespace>/<job-name>/<job-id>/job-result.json   (the run finished)
//   <namespace>/<job-name>/savepoints/sp-<timestamp>/...
// A `<job-id>` names one run; savepoints belong to the job's name so that every run finds them.
import type { StorageEntry } from '../fs/object-store.ts';
import { StorageError } from '../fs/storage-error.ts';
import { directoryPrefix, joinPath } from '../fs/storage-path.ts';

/** The job whose checkpoints and savepoints a layout addresses. */
export interface JobScope {
  namespace: string;
  jobName: string;
}

export const METADATA_FILE = '_metadata';

const CHECKPOINT_DIRECTORY = /^chk-(0|[1-9][0-9]*)$/;
const SAVEPOINT_DIRECTORY = /^sp-(0|[1-9][0-9]*)$/;

export function jobDirectory(scope: JobScope): string {
  return joinPath(segment(scope.namespace, 'namespace'), segment(scope.jobName, 'job name'));
}

/** The folder of one run: its `checkpoints/` and, once it finished, its `job-result.json`. */
export function runDirectory(scope: JobScope, jobId: string): string {
  return joinPath(jobDirectory(scope), segment(jobId, 'job id'));
}

export function checkpointsDirectory(scope: JobScope, jobId: string): string {
  return joinPath(runDirectory(scope, jobId), 'checkpoints');
}

export function checkpointDirectoryName(checkpointId: number): string {
  return `chk-${nonNegativeInteger(checkpointId, 'checkpoint id')}`;
}

export function checkpointDirectory(scope: JobScope, jobId: string, checkpointId: number): string {
  return joinPath(checkpointsDirectory(scope, jobId), checkpointDirectoryName(checkpointId));
}

export function savepointsDirectory(scope: JobScope): string {
  return joinPath(jobDirectory(scope), 'savepoints');
}

/** Savepoint directories are named after their trigger time in epoch milliseconds, so they sort by age. */
export function savepointDirectoryName(timestamp: number): string {
  return `sp-${nonNegativeInteger(timestamp, 'savepoint timestamp')}`;
}

export function savepointDirectory(scope: JobScope, timestamp: number): string {
  return joinPath(savepointsDirectory(scope), savepointDirectoryName(timestamp));
}

/** The file holding one subtask's state of one operator, relative to its checkpoint directory. */
export function subtaskStateFile(operatorId: string, subtask: number): string {
  return joinPath(operatorIdSegment(operatorId), String(nonNegativeInteger(subtask, 'subtask index')));
}

export function parseCheckpointDirectoryName(name: string): number | undefined {
  const match = CHECKPOINT_DIRECTORY.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function parseSavepointDirectoryName(name: string): number | undefined {
  const match = SAVEPOINT_DIRECTORY.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Operator ids come from `.uid(...)` and may hold any character; the path segment is their URI encoding. */
function operatorIdSegment(operatorId: string): string {
  if (operatorId === '') throw new StorageError('invalid-path', 'Operator id must not be empty');
  return encodeURIComponent(operatorId).replace(/\./g, '%2E');
}

function segment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..' || value.includes('/')) {
    throw new StorageError('invalid-path', `Invalid ${what} "${value}" for a checkpoint storage path: it must be non-empty, not "." or "..", and contain no "/"`);
  }
  return value;
}

function nonNegativeInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new StorageError('invalid-path', `Invalid ${what} ${value}: expected a non-negative integer`);
  }
  return value;
}

/** A chk-<n> or sp-<timestamp> directory seen in a listing; completed when it holds _metadata. */
export interface ListedDirectory {
  /** The number in the name: checkpoint id or savepoint timestamp. */
  number: number;
  directory: string;
  completed: boolean;
}

/** Groups a recursive listing of `parent` into its checkpoint or savepoint directories, ascending. */
export function listedDirectories(entries: readonly StorageEntry[], parent: string, parseName: (name: string) => number | undefined): ListedDirectory[] {
  const prefix = directoryPrefix(parent);
  const byNumber = new Map<number, ListedDirectory>();
  for (const entry of entries) {
    if (!entry.path.startsWith(prefix)) continue;
    const [name = '', ...rest] = entry.path.slice(prefix.length).split('/');
    const number = parseName(name);
    if (number === undefined || rest.length === 0) continue;
    const found = byNumber.get(number) ?? { number, directory: joinPath(parent, name), completed: false };
    if (rest.length === 1 && rest[0] === METADATA_FILE) found.completed = true;
    byNumber.set(number, found);
  }
  return [...byNumber.values()].sort((a, b) => a.number - b.number);
}
