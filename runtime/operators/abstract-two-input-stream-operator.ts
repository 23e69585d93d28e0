import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.ts';
import { StatusWatermarkValve } from './status-watermark-valve.ts';
import type { TwoInputStreamOperator } from './stream-operator.ts';

/**
 * Base of two-input operators: combines the inputs' watermarks (the minimum over inputs that are
 * neither idle nor ended, as Flink's combined watermark status) into the operator's own
 * `processWatermark`, which fires timers and forwards it; idle only when both inputs are. Subclasses
 * implement the record methods; on a keyed pair of streams `setKeyOf1/2` make a record's key current.
 */
export abstract class AbstractTwoInputStreamOperator extends AbstractUdfStreamOperator implements TwoInputStreamOperator {
  private readonly inputs = new StatusWatermarkValve(
    2,
    (timestamp) => this.processWatermark(timestamp),
    (idle) => this.processIdle(idle),
  );

  abstract processElement1(value: unknown, timestamp: number): void;
  abstract processElement2(value: unknown, timestamp: number): void;

  processWatermark1(timestamp: number): void {
    this.inputs.inputWatermark(0, timestamp);
  }

  processWatermark2(timestamp: number): void {
    this.inputs.inputWatermark(1, timestamp);
  }

  processIdle1(idle: boolean): void {
    this.inputs.inputIdle(0, idle);
  }

  processIdle2(idle: boolean): void {
    this.inputs.inputIdle(1, idle);
  }

  /** An ended input no longer holds the other one's watermark back. */
  endInput(input: 1 | 2): void {
    this.inputs.inputEnded(input - 1);
  }

  /** Makes the key of a record of the second input the current key for state and timers. */
  protected setKeyOf2(value: unknown): void {
    this.keyed!.setCurrentKey(this.ctx.keySelector2!(value));
  }
}
