import type { RichFunction } from './functions.ts';

/** Where an async call puts its results, once (Flink's ResultFuture). */
export interface ResultFuture<OUT> {
  complete(results: readonly OUT[]): void;
  completeExceptionally(error: unknown): void;
}

/**
 * A call to an external service per record (Flink's AsyncFunction): `asyncInvoke` starts it and
 * completes `resultFuture` when the answer is in; `timeout` (optional; default: the job fails) is
 * called instead when it takes longer than the operator's timeout. The plain form returns the
 * results as a promise.
 */
export type AsyncFunction<IN, OUT> =
  | ((input: IN) => Promise<readonly OUT[]>)
  | (RichFunction & {
      asyncInvoke(input: IN, resultFuture: ResultFuture<OUT>): void;
      timeout?(input: IN, resultFuture: ResultFuture<OUT>): void;
    });
