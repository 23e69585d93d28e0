import { formatRecord } from './format-record.ts';
import type { Sink, SinkWriter, SinkWriterContext } from './sink.ts';

/**
 * Prints records to stdout, one per line; with parallelism > 1 each line starts with the
 * subtask number ("2> ..."), as Flink's print(). Lines are written once per event-loop turn.
 */
export class PrintSink<T> implements Sink<T> {
  constructor(
    private readonly prefix = '',
    private readonly stream: NodeJS.WritableStream = process.stdout,
  ) {}

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const n = ctx.subtaskIndex + 1;
    const p = this.prefix;
    const lead = ctx.parallelism > 1 ? (p ? `${p}:${n}> ` : `${n}> `) : p ? `${p}> ` : '';
    const stream = this.stream;
    let pending = '';
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      if (pending) stream.write(pending);
      pending = '';
    };
    return {
      write(value: T) {
        pending += `${lead}${formatRecord(value)}\n`;
        if (pending.length > 65536) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      },
      finish: flush,
      close: flush,
    };
  }
}
