import type { CoMapFunction } from '../functions/co-functions.ts';
import { AbstractTwoInputStreamOperator } from './abstract-two-input-stream-operator.ts';

/** Runs a CoMapFunction over two connected streams (Flink's CoStreamMap). */
export class CoStreamMap<IN1, IN2, R> extends AbstractTwoInputStreamOperator {
  constructor(private readonly fn: CoMapFunction<IN1, IN2, R>) {
    super(fn);
  }

  processElement1(value: unknown, timestamp: number): void {
    this.output.collect(this.fn.map1(value as IN1), timestamp);
  }

  processElement2(value: unknown, timestamp: number): void {
    this.output.collect(this.fn.map2(value as IN2), timestamp);
  }
}
