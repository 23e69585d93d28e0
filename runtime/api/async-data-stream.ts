import type { AsyncFunction } from '../functions/async-function.ts';
import { perSubtask, requireFunction } from '../functions/functions.ts';
import { AsyncWaitOperator, type AsyncOutputMode } from '../operators/async-wait-operator.ts';
import type { DataStream } from './data-stream.ts';

/**
 * Async I/O, as Flink's AsyncDataStream: an AsyncFunction per record with at most `capacity`
 * calls in flight per subtask, each given up after `timeoutMs` (its `timeout` hook, or the job
 * fails). `orderedWait` emits results in input order, `unorderedWait` as they complete (never across
 * a watermark). Calls in flight are part of checkpoints and made again after a restore.
 */
export class AsyncDataStream {
  static unorderedWait<IN, OUT>(stream: DataStream<IN>, fn: AsyncFunction<IN, OUT>, timeoutMs: number, capacity = 100): DataStream<OUT> {
    return AsyncDataStream.add(stream, fn, timeoutMs, capacity, 'unordered');
  }

  static orderedWait<IN, OUT>(stream: DataStream<IN>, fn: AsyncFunction<IN, OUT>, timeoutMs: number, capacity = 100): DataStream<OUT> {
    return AsyncDataStream.add(stream, fn, timeoutMs, capacity, 'ordered');
  }

  private static add<IN, OUT>(stream: DataStream<IN>, fn: AsyncFunction<IN, OUT>, timeoutMs: number, capacity: number, mode: AsyncOutputMode): DataStream<OUT> {
    requireFunction(mode === 'ordered' ? 'orderedWait' : 'unorderedWait', fn, 'asyncInvoke');
    // Checked here, when the pipeline is built, rather than in every subtask.
    new AsyncWaitOperator(fn, timeoutMs, capacity, mode);
    return stream.then<OUT>(mode === 'ordered' ? 'Async Wait (ordered)' : 'Async Wait (unordered)', () => new AsyncWaitOperator(perSubtask(fn), timeoutMs, capacity, mode));
  }
}
