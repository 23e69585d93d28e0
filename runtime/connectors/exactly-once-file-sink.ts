import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatRecord } from './format-record.ts';
import type { SinkWriterContext } from './sink.ts';
import { TwoPhaseCommitSink, type PreCommitted, type SinkTransaction, type SinkTransactions } from './two-phase-commit-sink.ts';

/**
 * A pre-committed part: the directory it was written to (absolute; absent in states of before it
 * was recorded), its hidden in-progress file and the name it is published under; null when empty.
 */
export type FilePartState = { readonly directory?: string; readonly inProgress: string; readonly part: string } | null;

const FLUSH_AT = 65536;

/**
 * Writes records as lines into a directory with exactly-once output: each checkpoint interval of
 * each subtask writes one hidden part (`.part-<subtask>-<run>-<n>.inprogress`), synced at the
 * barrier and renamed to `part-<subtask>-<run>-<n>` when the checkpoint completes. Readers that
 * skip dot-files see only committed records. A rename is its own idempotence check: once the
 * in-progress file is gone and the part exists, committing again does nothing. The transaction
 * records its directory, so a restored one commits there, not in the directory given now.
 */
export class ExactlyOnceFileSink<T> extends TwoPhaseCommitSink<T, FilePartState> {
  constructor(private readonly directory: string) {
    super();
  }

  protected createTransactions(ctx: SinkWriterContext): SinkTransactions<T, FilePartState> {
    const directory = resolve(this.directory);
    mkdirSync(directory, { recursive: true });
    // Unique per writer, so a restarted attempt never reuses the name of a part published before.
    const run = randomUUID().slice(0, 8);
    let sequence = 0;
    return {
      begin: () => new FilePartTransaction<T>(directory, `part-${ctx.subtaskIndex}-${run}-${sequence++}`),
      commit: (state) => commitPart(directory, state),
    };
  }
}

class FilePartTransaction<T> implements SinkTransaction<T, FilePartState> {
  private fd: number | undefined;
  private buffer = '';
  private records = 0;
  private readonly inProgress: string;

  constructor(
    private readonly directory: string,
    private readonly part: string,
  ) {
    this.inProgress = `.${part}.inprogress`;
  }

  write(value: T): void {
    this.buffer += `${formatRecord(value)}\n`;
    this.records++;
    if (this.buffer.length >= FLUSH_AT) this.flush();
  }

  preCommit(): PreCommitted<FilePartState> {
    if (this.records === 0) return { state: null };
    this.flush();
    fsyncSync(this.fd!);
    closeSync(this.fd!);
    this.fd = undefined;
    return { state: { directory: this.directory, inProgress: this.inProgress, part: this.part } };
  }

  abort(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    unlinkSync(join(this.directory, this.inProgress));
  }

  private flush(): void {
    this.fd ??= openSync(join(this.directory, this.inProgress), 'w');
    writeSync(this.fd, this.buffer);
    this.buffer = '';
  }
}

/**
 * Publishes a part where it was written, whatever directory the restored job was given since: a
 * transaction restored from a checkpoint belongs to the run that wrote it.
 */
function commitPart(directory: string, state: FilePartState): void {
  if (state === null) return;
  const at = state.directory ?? directory;
  const part = join(at, state.part);
  try {
    renameSync(join(at, state.inProgress), part);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(part)) {
      throw new Error(`cannot commit part file ${part}: ${(error as Error).message}`, { cause: error });
    }
  }
}
