import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { FileSourceSplit } from './file-source-split.ts';
import type { InputStatus, ReaderOutput, SourceOutput, SourceReader, SourceReaderContext } from './source-reader.ts';

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NEVER: Promise<void> = new Promise(() => {});

/**
 * Reads the lines of file splits, one split at a time, asking the enumerator for the next split
 * when it has none. Reads go through one reused buffer (grown only for a line longer than it), so
 * a line costs its string and nothing else.
 */
export class FileSourceReader implements SourceReader<string, FileSourceSplit> {
  private readonly splits: FileSourceSplit[] = [];
  private noMoreSplits = false;
  private requested = false;
  private current: FileSourceSplit | undefined;
  private out: SourceOutput<string> | undefined;
  private fd: number | undefined;
  private size = 0;
  private buffer = Buffer.allocUnsafe(CHUNK);
  /** File offset of buffer[0]; the buffer holds bytes [bufferOffset, bufferOffset + filled). */
  private bufferOffset = 0;
  private filled = 0;

  constructor(private readonly context: SourceReaderContext) {}

  /** A reader restored with splits reads those first; one without asks for work at once. */
  start(): void {
    if (this.splits.length === 0) this.request();
  }

  addSplits(splits: readonly FileSourceSplit[]): void {
    for (const s of splits) this.splits.push({ ...s });
    this.requested = false;
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
  }

  pollNext(output: ReaderOutput<string>, maxRecords: number): InputStatus {
    let emitted = 0;
    while (emitted < maxRecords) {
      const split = this.current ?? this.next(output);
      if (split === undefined) {
        if (this.noMoreSplits) return 'end-of-input';
        this.request();
        return 'nothing-available';
      }
      if (split.position >= split.end) {
        this.finish(output);
        continue;
      }
      const from = split.position - this.bufferOffset;
      const nl = from < this.filled ? this.buffer.indexOf(NEWLINE, from) : -1;
      if (nl >= 0 && nl < this.filled) {
        this.out!.collect(this.line(from, nl));
        split.position += nl - from + 1;
        emitted++;
      } else if (!this.fill(split.position)) {
        // End of file: what is left (the buffer starts at the position now) is the file's last line, without a newline.
        if (this.filled > 0) {
          this.out!.collect(this.line(0, this.filled));
          emitted++;
        }
        split.position = split.end;
      }
    }
    return 'more-available';
  }

  /** Nothing to read means waiting for a split, which wakes the subtask when it comes. */
  available(): Promise<void> {
    return NEVER;
  }

  snapshotState(_checkpointId: number): FileSourceSplit[] {
    const held = this.current === undefined ? this.splits : [this.current, ...this.splits];
    return held.map((s) => ({ ...s }));
  }

  close(): void {
    this.closeFile();
  }

  private request(): void {
    if (this.requested || this.noMoreSplits) return;
    this.requested = true;
    this.context.sendSplitRequest();
  }

  /** Opens the next split and moves to its first line start. */
  private next(output: ReaderOutput<string>): FileSourceSplit | undefined {
    const split = this.splits.shift();
    if (split === undefined) return undefined;
    try {
      this.fd = openSync(split.path, 'r');
      this.size = fstatSync(this.fd).size;
    } catch (e) {
      throw new Error(`file source: cannot read "${split.path}": ${(e as Error).message}`);
    }
    if (this.size < split.end) throw new Error(`file source: "${split.path}" is ${this.size} bytes now, shorter than its split ${split.start}-${split.end}`);
    this.current = split;
    this.out = output.createOutputForSplit(split.splitId);
    this.filled = 0;
    this.bufferOffset = split.position;
    if (split.position > 0) this.skipToLineStart(split);
    return split;
  }

  /** The first line start at or after `position`: just after the first newline at or after position - 1. */
  private skipToLineStart(split: FileSourceSplit): void {
    let at = split.position - 1;
    for (;;) {
      if (!this.fill(at)) {
        split.position = split.end;
        return;
      }
      const nl = this.buffer.indexOf(NEWLINE, at - this.bufferOffset);
      if (nl >= 0 && nl < this.filled) {
        split.position = this.bufferOffset + nl + 1;
        return;
      }
      at = this.bufferOffset + this.filled;
    }
  }

  /**
   * Makes the buffer hold bytes from `offset` on, and more of them than before: keeps the unread
   * bytes, reads after them. False at the end of the file (no byte after what the buffer has).
   */
  private fill(offset: number): boolean {
    const keep = this.bufferOffset + this.filled - offset;
    if (keep > 0 && offset >= this.bufferOffset) {
      if (keep === this.buffer.length) {
        const grown = Buffer.allocUnsafe(this.buffer.length * 2);
        this.buffer.copy(grown, 0, offset - this.bufferOffset, offset - this.bufferOffset + keep);
        this.buffer = grown;
      } else this.buffer.copy(this.buffer, 0, offset - this.bufferOffset, offset - this.bufferOffset + keep);
      this.bufferOffset = offset;
      this.filled = keep;
    } else {
      this.bufferOffset = offset;
      this.filled = 0;
    }
    const read = readSync(this.fd!, this.buffer, this.filled, this.buffer.length - this.filled, offset + this.filled);
    this.filled += read;
    return read > 0;
  }

  private line(from: number, to: number): string {
    const end = to > from && this.buffer[to - 1] === CARRIAGE_RETURN ? to - 1 : to;
    return this.buffer.toString('utf8', from, end);
  }

  private finish(output: ReaderOutput<string>): void {
    output.releaseOutputForSplit(this.current!.splitId);
    this.current = undefined;
    this.out = undefined;
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
