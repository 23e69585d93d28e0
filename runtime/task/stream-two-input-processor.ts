import type { RecordBatch } from '../network/stream-element.ts';
import { StatusWatermarkValve } from '../operators/status-watermark-valve.ts';
import type { TwoInputStreamOperator } from '../operators/stream-operator.ts';
import type { StreamInputProcessor } from './stream-input-processor.ts';

/**
 * The input of a task headed by a two-input operator (Flink's StreamTwoInputProcessor): each channel
 * feeds input 1 or 2 (`inputOf`, from the deployment descriptor); each input's watermark is the
 * minimum over its own channels (one valve per input) and goes to `processWatermark1/2`, where the
 * operator combines the two. When all channels of an input ended, the operator's `endInput(n)`.
 */
export class StreamTwoInputProcessor implements StreamInputProcessor {
  private readonly valves: [StatusWatermarkValve, StatusWatermarkValve];
  /** Per channel: its input (0 or 1) and its index among that input's channels. */
  private readonly input: Uint8Array;
  private readonly indexInInput: Uint32Array;
  private readonly channelsOf = [0, 0];
  private readonly endedOf = [0, 0];
  private ended = 0;

  constructor(
    private readonly operator: TwoInputStreamOperator,
    inputOf: readonly (0 | 1)[],
    private readonly blame: (error: unknown) => Error,
  ) {
    this.input = Uint8Array.from(inputOf);
    this.indexInInput = new Uint32Array(inputOf.length);
    inputOf.forEach((input, channel) => (this.indexInInput[channel] = this.channelsOf[input]!++));
    for (const [i, n] of this.channelsOf.entries()) {
      if (n === 0) throw new Error(`a two-input task needs channels on both inputs; input ${i + 1} has none`);
    }
    this.valves = [
      new StatusWatermarkValve(
        this.channelsOf[0]!,
        (timestamp) => this.call(() => operator.processWatermark1(timestamp)),
        (idle) => this.call(() => operator.processIdle1(idle)),
      ),
      new StatusWatermarkValve(
        this.channelsOf[1]!,
        (timestamp) => this.call(() => operator.processWatermark2(timestamp)),
        (idle) => this.call(() => operator.processIdle2(idle)),
      ),
    ];
  }

  processBatch(batch: RecordBatch, channel: number): void {
    const op = this.operator;
    const values = batch.values;
    const timestamps = batch.timestamps;
    const n = values.length;
    op.recordsIn += n;
    try {
      if (this.input[channel] === 0) for (let i = 0; i < n; i++) op.processElement1(values[i], timestamps[i]!);
      else for (let i = 0; i < n; i++) op.processElement2(values[i], timestamps[i]!);
    } catch (e) {
      throw this.blame(e);
    }
  }

  processWatermark(channel: number, timestamp: number): void {
    this.valves[this.input[channel]!]!.inputWatermark(this.indexInInput[channel]!, timestamp);
  }

  processIdle(channel: number, idle: boolean): void {
    this.valves[this.input[channel]!]!.inputIdle(this.indexInInput[channel]!, idle);
  }

  endChannel(channel: number): boolean {
    const input = this.input[channel]!;
    this.valves[input]!.inputEnded(this.indexInInput[channel]!);
    if (++this.endedOf[input]! === this.channelsOf[input]) this.call(() => this.operator.endInput(input === 0 ? 1 : 2));
    return ++this.ended === this.input.length;
  }

  private call(action: () => void): void {
    try {
      action();
    } catch (e) {
      throw this.blame(e);
    }
  }
}
