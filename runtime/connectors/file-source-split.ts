import { JsonVersionedSerializer } from './json-versioned-serializer.ts';
import type { SourceSplit } from './source.ts';

/**
 * A byte range [start, end) of a file whose records are lines (Hadoop's and Flink's text input
 * split). A line belongs to the split in which it starts: a split that starts mid-line skips to the
 * next line start, and a split reads past `end` to finish its last line. `position` is the offset of
 * the next line to read (`start` before reading: the reader then skips to the first line start at or
 * after it; skipping again from a line start stays there).
 */
export interface FileSourceSplit extends SourceSplit {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  position: number;
}

/** The file source's enumerator state: splits not assigned yet, and every file already divided into splits. */
export interface FileEnumeratorState {
  readonly pending: FileSourceSplit[];
  readonly seen: string[];
}

function offset(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function checkSplit(value: unknown): FileSourceSplit {
  const x = value as FileSourceSplit;
  if (typeof x?.splitId !== 'string' || typeof x.path !== 'string' || !offset(x.start) || !offset(x.end) || !offset(x.position) || x.start > x.end) {
    throw new Error(`invalid file source split ${JSON.stringify(value)}`);
  }
  return { splitId: x.splitId, path: x.path, start: x.start, end: x.end, position: x.position };
}

export const FILE_SOURCE_SPLIT_SERIALIZER = new JsonVersionedSerializer<FileSourceSplit>('file source split', checkSplit);

export const FILE_ENUMERATOR_STATE_SERIALIZER = new JsonVersionedSerializer<FileEnumeratorState>('file source enumerator state', (value) => {
  const x = value as FileEnumeratorState;
  if (!Array.isArray(x?.pending) || !Array.isArray(x.seen) || !x.seen.every((p) => typeof p === 'string')) {
    throw new Error(`invalid file source enumerator state ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return { pending: x.pending.map(checkSplit), seen: [...x.seen] };
});

/** The byte-range splits of a file of `size` bytes, each at most `splitSize` bytes long; an empty file has none. */
export function fileSplits(path: string, size: number, splitSize: number): FileSourceSplit[] {
  const splits: FileSourceSplit[] = [];
  for (let start = 0; start < size; start += splitSize) {
    const end = Math.min(size, start + splitSize);
    splits.push({ splitId: `${path}:${start}`, path, start, end, position: start });
  }
  return splits;
}
