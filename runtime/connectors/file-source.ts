import { FILE_ENUMERATOR_STATE_SERIALIZER, FILE_SOURCE_SPLIT_SERIALIZER, type FileEnumeratorState, type FileSourceSplit } from './file-source-split.ts';
import { FileSourceReader } from './file-source-reader.ts';
import { FileSplitEnumerator } from './file-split-enumerator.ts';
import type { SourceReader, SourceReaderContext } from './source-reader.ts';
import type { Boundedness, Source } from './source.ts';
import type { SplitEnumerator } from './split-enumerator.ts';
import type { SplitEnumeratorContext } from './split-enumerator-context.ts';

export interface FileSourceOptions {
  /** Largest byte range of a file one split covers (default 32 MiB, Flink's local block size): a larger file is read by several readers. */
  readonly splitSize?: number;
}

const DEFAULT_SPLIT_SIZE = 32 * 1024 * 1024;

/**
 * The lines of a file, or of every file in a directory (sorted by name), as Flink's FileSource with
 * a text line format. Files are divided into byte-range splits of at most `splitSize`, handed to
 * readers as they ask, so several readers share one large file. Bounded, unless
 * `monitorContinuously(interval)`: then the directory is listed every `interval` ms and new files are
 * read as they appear (they must appear whole, e.g. renamed into it). A split's position is the offset
 * of its next line, so a restore continues at the next line.
 */
export class FileSource implements Source<string, FileSourceSplit, FileEnumeratorState> {
  readonly boundedness: Boundedness;
  readonly splitSerializer = FILE_SOURCE_SPLIT_SERIALIZER;
  readonly enumeratorCheckpointSerializer = FILE_ENUMERATOR_STATE_SERIALIZER;
  private readonly splitSize: number;

  constructor(
    private readonly path: string,
    options: FileSourceOptions = {},
    private readonly monitorInterval?: number,
  ) {
    this.splitSize = options.splitSize ?? DEFAULT_SPLIT_SIZE;
    if (!Number.isSafeInteger(this.splitSize) || this.splitSize < 1) throw new RangeError(`file source splitSize must be a positive integer, got ${options.splitSize}`);
    this.boundedness = monitorInterval === undefined ? 'bounded' : 'continuous';
  }

  /** The same source, unbounded: lists the directory every `intervalMs` ms and reads the files that appeared. */
  monitorContinuously(intervalMs: number): FileSource {
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) throw new RangeError(`file source monitoring interval must be a positive number of ms, got ${intervalMs}`);
    return new FileSource(this.path, { splitSize: this.splitSize }, intervalMs);
  }

  createEnumerator(context: SplitEnumeratorContext<FileSourceSplit>): SplitEnumerator<FileSourceSplit, FileEnumeratorState> {
    return new FileSplitEnumerator(context, { path: this.path, splitSize: this.splitSize, monitorInterval: this.monitorInterval });
  }

  restoreEnumerator(context: SplitEnumeratorContext<FileSourceSplit>, state: FileEnumeratorState): SplitEnumerator<FileSourceSplit, FileEnumeratorState> {
    return new FileSplitEnumerator(context, { path: this.path, splitSize: this.splitSize, monitorInterval: this.monitorInterval }, state);
  }

  createReader(context: SourceReaderContext): SourceReader<string, FileSourceSplit> {
    return new FileSourceReader(context);
  }
}
