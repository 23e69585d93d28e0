import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from './source.ts';

/** A file being read: its state is the byte offset of the next unread line. */
interface FileSplit {
  readonly path: string;
  offset: number;
}

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * Reads the lines of a file, or of every file in a directory (sorted by name), as a bounded
 * source. Files are the splits: file j goes to subtask j mod parallelism. A snapshot holds each
 * file's byte offset, so a restore continues at the next line.
 */
export class FileSource implements Source<string> {
  readonly boundedness = 'bounded';
  constructor(private readonly path: string) {}

  private files(): string[] {
    let stat;
    try {
      stat = statSync(this.path);
    } catch (e) {
      throw new Error(`file source: cannot read "${this.path}": ${(e as Error).message}`);
    }
    if (!stat.isDirectory()) return [this.path];
    return readdirSync(this.path)
      .filter((f) => !f.startsWith('.'))
      .sort()
      .map((f) => join(this.path, f));
  }

  createReader(ctx: SourceReaderContext, restored: readonly unknown[] | undefined): SourceReader<string> {
    const splits: FileSplit[] = restored
      ? restored.map((s) => {
          const x = s as FileSplit;
          if (typeof x?.path !== 'string' || typeof x.offset !== 'number') throw new Error(`invalid file split state ${JSON.stringify(s)}`);
          return { path: x.path, offset: x.offset };
        })
      : this.files()
          .filter((_, j) => j % ctx.parallelism === ctx.subtaskIndex)
          .map((path) => ({ path, offset: 0 }));
    return new FileReader(splits);
  }
}

class FileReader implements SourceReader<string> {
  private current = 0;
  private fd: number | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private pos = 0;

  constructor(private readonly splits: FileSplit[]) {}

  pollNext(output: ReaderOutput<string>, maxRecords: number): InputStatus {
    let emitted = 0;
    while (emitted < maxRecords) {
      const split = this.splits[this.current];
      if (split === undefined) return 'end-of-input';
      if (this.fd === undefined) {
        this.fd = openSync(split.path, 'r');
        this.buffer = Buffer.alloc(0);
        this.pos = 0;
      }
      const nl = this.buffer.indexOf(NEWLINE, this.pos);
      if (nl >= 0) {
        output.collect(this.line(this.pos, nl));
        split.offset += nl - this.pos + 1;
        this.pos = nl + 1;
        emitted++;
        continue;
      }
      const chunk = Buffer.allocUnsafe(CHUNK);
      const read = readSync(this.fd, chunk, 0, CHUNK, split.offset + (this.buffer.length - this.pos));
      if (read > 0) {
        this.buffer = Buffer.concat([this.buffer.subarray(this.pos), chunk.subarray(0, read)]);
        this.pos = 0;
        continue;
      }
      if (this.pos < this.buffer.length) {
        output.collect(this.line(this.pos, this.buffer.length));
        split.offset += this.buffer.length - this.pos;
        emitted++;
      }
      this.closeFile();
      this.current++;
    }
    return 'more-available';
  }

  available(): Promise<void> {
    return Promise.resolve();
  }

  snapshotState(): unknown[] {
    return this.splits.slice(this.current).map((s) => ({ ...s }));
  }

  close(): void {
    this.closeFile();
  }

  private line(from: number, to: number): string {
    const end = to > from && this.buffer[to - 1] === 0x0d ? to - 1 : to;
    return this.buffer.toString('utf8', from, end);
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
