import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSplits, type FileEnumeratorState, type FileSourceSplit } from './file-source-split.ts';
import type { SplitEnumerator } from './split-enumerator.ts';
import type { SplitEnumeratorContext } from './split-enumerator-context.ts';

export interface FileSplitEnumeratorOptions {
  readonly path: string;
  readonly splitSize: number;
  /** Continuous: list the directory again every this many ms for files not seen yet. */
  readonly monitorInterval?: number;
}

/** The files to read: the path itself, or a directory's files (not hidden ones), sorted by name. */
async function listFiles(path: string): Promise<{ path: string; size: number }[]> {
  let s;
  try {
    s = await stat(path);
  } catch (e) {
    throw new Error(`file source: cannot read "${path}": ${(e as Error).message}`);
  }
  if (!s.isDirectory()) return [{ path, size: s.size }];
  const names = (await readdir(path)).filter((f) => !f.startsWith('.')).sort();
  const files: { path: string; size: number }[] = [];
  for (const name of names) {
    const file = join(path, name);
    const fs = await stat(file);
    if (fs.isFile()) files.push({ path: file, size: fs.size });
  }
  return files;
}

/**
 * Enumerates the byte-range splits of a file or of the files of a directory and hands them out on
 * request, one at a time, in file-name and offset order (Flink's FileSource with a simple split
 * assigner), so fast readers take more. Bounded: after the one listing, a reader asking when none is
 * left is told no more come. Continuous (`monitorInterval`): the directory is listed again
 * periodically; new files' splits go to readers waiting for one. Files must appear whole (written
 * elsewhere and renamed into the directory), as with Flink.
 */
export class FileSplitEnumerator implements SplitEnumerator<FileSourceSplit, FileEnumeratorState> {
  private readonly pending: FileSourceSplit[];
  private readonly seen: Set<string>;
  /** Readers that asked and got nothing yet, in order of asking. */
  private readonly waiting: number[] = [];
  private listed = false;

  constructor(
    private readonly context: SplitEnumeratorContext<FileSourceSplit>,
    private readonly options: FileSplitEnumeratorOptions,
    state: FileEnumeratorState = { pending: [], seen: [] },
  ) {
    this.pending = state.pending.map((s) => ({ ...s }));
    this.seen = new Set(state.seen);
  }

  start(): void {
    const discover = () => listFiles(this.options.path);
    const handle = (files: { path: string; size: number }[] | undefined, error: unknown) => {
      if (error !== undefined && error !== null) throw error;
      for (const f of files!) {
        if (this.seen.has(f.path)) continue;
        this.seen.add(f.path);
        this.pending.push(...fileSplits(f.path, f.size, this.options.splitSize));
      }
      this.listed = true;
      this.serveWaiting();
    };
    if (this.options.monitorInterval === undefined) this.context.callAsync(discover, handle);
    else this.context.callAsync(discover, handle, 0, this.options.monitorInterval);
  }

  addReader(): void {}

  handleSplitRequest(subtaskId: number): void {
    if (!this.waiting.includes(subtaskId)) this.waiting.push(subtaskId);
    if (this.listed) this.serveWaiting();
  }

  addSplitsBack(splits: readonly FileSourceSplit[], _subtaskId: number): void {
    this.pending.unshift(...splits.map((s) => ({ ...s })));
    this.serveWaiting();
  }

  snapshotState(_checkpointId: number): FileEnumeratorState {
    return { pending: this.pending.map((s) => ({ ...s })), seen: [...this.seen] };
  }

  close(): void {}

  private serveWaiting(): void {
    const readers = this.context.registeredReaders();
    while (this.waiting.length > 0) {
      const subtask = this.waiting[0]!;
      if (!readers.has(subtask)) {
        this.waiting.shift();
        continue;
      }
      const split = this.pending.shift();
      if (split === undefined) {
        if (!this.listed || this.options.monitorInterval !== undefined) return;
        this.waiting.shift();
        this.context.signalNoMoreSplits(subtask);
        continue;
      }
      this.waiting.shift();
      this.context.assignSplit(split, subtask);
    }
  }
}
