import type { DataStream } from '../api/data-stream.ts';
import type { StreamExecutionEnvironment } from '../api/stream-execution-environment.ts';
import { WatermarkStrategy, type WatermarkGenerator } from '../functions/watermark-strategy.ts';

/** One step of a scripted input: a record with its event time, or a watermark at that point of the stream. */
export type TimedElement<T> = { readonly value: T; readonly timestamp: number } | { readonly watermark: number };

/** A record at event time `timestamp`. */
export function record<T>(value: T, timestamp: number): TimedElement<T> {
  return { value, timestamp };
}

/** A watermark: no record with an earlier timestamp is expected after this point. */
export function watermark(timestamp: number): TimedElement<never> {
  return { watermark: timestamp };
}

type Step<T> = { readonly value?: T; readonly timestamp?: number; readonly watermark?: number };

/** Emits a watermark exactly where the script has one, and none of its own. */
class ScriptedWatermarks<T> implements WatermarkGenerator<Step<T>> {
  onEvent(step: Step<T>, _timestamp: number, output: { emitWatermark(t: number): void }): void {
    if (step.watermark !== undefined) output.emitWatermark(step.watermark);
  }
  onPeriodicEmit(): void {}
}

/**
 * A bounded stream of the given records with their event times and the given watermarks between
 * them, in this order (one source subtask). Built from the job's own parts: a collection source,
 * the timestamps/watermarks operator and a flatMap that drops the watermark steps, so the records
 * arrive at the next operator exactly as from a source with those watermarks. After the last step
 * the stream ends with the final watermark, which fires every remaining event-time window and timer.
 */
export function fromTimedElements<T>(env: StreamExecutionEnvironment, elements: readonly TimedElement<T>[]): DataStream<T> {
  const steps = elements.map((e) => e as Step<T>);
  for (const s of steps) {
    if (s.watermark === undefined && typeof s.timestamp !== 'number') throw new TypeError('each timed element is record(value, timestamp) or watermark(timestamp)');
  }
  return env
    .fromCollection(steps)
    .name('Source: Timed Elements')
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forGenerator<Step<T>>(() => new ScriptedWatermarks<T>()).withTimestampAssigner((s) => s.timestamp ?? s.watermark!),
    )
    .name('Scripted Watermarks')
    .flatMap<T>((s, out) => {
      if (s.watermark === undefined) out.collect(s.value as T);
    })
    .name('Timed Records');
}
