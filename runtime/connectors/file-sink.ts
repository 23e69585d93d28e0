import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { formatRecord } from './format-record.ts';
import type { Sink, SinkWriter, SinkWriterContext } from './sink.ts';

/**
 * Writes records as lines into a directory, one part file per subtask. A part is written as a
 * hidden in-progress file and published (renamed to `part-<subtask>`) when the input ends, so
 * readers never see a partial part.
 */
export class FileSink<T> implements Sink<T> {
  constructor(private readonly directory: string) {}

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    mkdirSync(this.directory, { recursive: true });
    const final = join(this.directory, `part-${ctx.subtaskIndex}`);
    const inProgress = join(this.directory, `.part-${ctx.subtaskIndex}.inprogress`);
    let fd: number | undefined = openSync(inProgress, 'w');
    let pending = '';
    const flush = () => {
      if (pending && fd !== undefined) writeSync(fd, pending);
      pending = '';
    };
    return {
      write(value: T) {
        pending += `${formatRecord(value)}\n`;
        if (pending.length > 65536) flush();
      },
      finish() {
        flush();
        closeSync(fd!);
        fd = undefined;
        renameSync(inProgress, final);
      },
      close() {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
      },
    };
  }
}
