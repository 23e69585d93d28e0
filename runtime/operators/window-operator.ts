import type { Collector, WindowContext } from '../functions/functions.ts';
import type { OutputTag } from '../functions/output-tag.ts';
import { TimeWindow } from '../windowing/time-window.ts';
import type { Trigger, TriggerContext, TriggerResult } from '../windowing/trigger.ts';
import type { WindowAssigner } from '../windowing/window-assigner.ts';
import { NO_TIMESTAMP } from '../core/timestamps.ts';
import type { MapState } from '../state/keyed-state.ts';
import { MapStateDescriptor } from '../state/state-descriptor.ts';
import type { Timer } from '../state/timer-service.ts';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.ts';
import type { InternalWindowFunction } from './window-function.ts';
import { parseWindowId, windowId, WindowIds } from './window-ids.ts';

/** A window's contents in keyed state (plain data, so it snapshots as is). */
interface WindowEntry {
  start: number;
  end: number;
  acc: unknown;
}

/**
 * Keyed windows, as Flink's WindowOperator: assigns elements to windows (merging sessions),
 * asks the trigger when to evaluate, keeps windows until the watermark passes their end plus
 * the allowed lateness, and sends elements that come too late to the late-data side output.
 * A window's timers use its id as namespace, so they are part of the keyed snapshot.
 */
export class WindowOperator extends AbstractUdfStreamOperator {
  private contents!: MapState<string, WindowEntry>;
  private readonly trigger: Trigger;
  private window!: TimeWindow;
  private windowNs = '';
  private readonly windowIds = new WindowIds();
  private triggerContext!: TriggerContext;
  private windowContext!: WindowContext<TimeWindow>;
  private collector!: Collector<unknown>;
  private emitTimestamp = 0;
  /** Late elements dropped because no late-data output was given. */
  droppedLateRecords = 0;

  constructor(
    private readonly assigner: WindowAssigner,
    trigger: Trigger | undefined,
    private readonly fn: InternalWindowFunction,
    private readonly allowedLateness: number,
    private readonly lateDataTag: OutputTag<unknown> | undefined,
    userFunctions: readonly unknown[],
  ) {
    super(...userFunctions);
    this.trigger = trigger ?? assigner.defaultTrigger();
  }

  override open(): void {
    this.contents = this.keyed!.getState(new MapStateDescriptor('window-contents')) as MapState<string, WindowEntry>;
    const op = this;
    const timers = () => op.timers!;
    this.triggerContext = {
      currentWatermark: () => op.currentWatermark,
      currentProcessingTime: () => op.ctx.time.now(),
      registerEventTimeTimer: (t) => timers().register('event-time', t, op.windowNs),
      registerProcessingTimeTimer: (t) => timers().register('processing-time', t, op.windowNs),
      deleteEventTimeTimer: (t) => timers().delete('event-time', t, op.windowNs),
      deleteProcessingTimeTimer: (t) => timers().delete('processing-time', t, op.windowNs),
    };
    this.windowContext = {
      window: () => op.window,
      currentWatermark: () => op.currentWatermark,
      currentProcessingTime: () => op.ctx.time.now(),
      output: (tag, value) => op.output.collectSide(tag as OutputTag<unknown>, value, op.emitTimestamp),
    };
    this.collector = { collect: (v) => op.output.collect(v, op.emitTimestamp) };
    super.open();
  }

  processElement(value: unknown, timestamp: number): void {
    this.setKeyOf(value);
    if (this.assigner.isEventTime && timestamp === NO_TIMESTAMP) {
      throw new Error('record has no timestamp: an event-time window needs assignTimestampsAndWatermarks() or a source with a WatermarkStrategy');
    }
    let windows = this.assigner.assignWindows(value, timestamp, this.assigner.isEventTime ? 0 : this.ctx.time.now());
    if (this.assigner.isMerging) windows = windows.map((w) => this.mergeInto(w));
    let skipped = true;
    for (const w of windows) {
      if (this.isWindowLate(w)) continue;
      skipped = false;
      this.setWindow(w);
      const entry = this.contents.get(this.windowNs);
      if (entry === undefined) {
        this.contents.put(this.windowNs, { start: w.start, end: w.end, acc: this.fn.add(undefined, value) });
        this.registerCleanup(w);
      } else entry.acc = this.fn.add(entry.acc, value);
      this.apply(this.trigger.onElement(value, timestamp, w, this.triggerContext));
    }
    if (skipped && this.assigner.isEventTime && timestamp + this.allowedLateness <= this.currentWatermark) {
      if (this.lateDataTag) this.output.collectSide(this.lateDataTag, value, timestamp);
      else this.droppedLateRecords++;
    }
  }

  override onEventTime(timer: Timer): void {
    this.onTimer(timer, true);
  }

  override onProcessingTime(timer: Timer): void {
    this.onTimer(timer, false);
  }

  /** End of a bounded input: processing-time windows are evaluated now rather than lost. */
  override finish(): void {
    if (!this.assigner.isEventTime) this.timers!.advanceProcessingTime(Number.POSITIVE_INFINITY);
  }

  private onTimer(timer: Timer, eventTime: boolean): void {
    this.setWindow(parseWindowId(timer.namespace));
    const w = this.window;
    if (this.contents.contains(this.windowNs)) {
      this.apply(
        eventTime
          ? this.trigger.onEventTime(timer.timestamp, w, this.triggerContext)
          : this.trigger.onProcessingTime(timer.timestamp, w, this.triggerContext),
      );
    }
    if (eventTime === this.assigner.isEventTime && timer.timestamp === this.cleanupTime(w)) this.clearWindow(w);
  }

  private apply(result: TriggerResult): void {
    if (result === 'continue') return;
    const entry = this.contents.get(this.windowNs);
    if (entry === undefined) return;
    if (result === 'fire' || result === 'fire-and-purge') {
      this.emitTimestamp = this.window.maxTimestamp();
      this.fn.emit(this.keyed!.getCurrentKey(), entry.acc, this.windowContext, this.collector);
    }
    if (result === 'purge' || result === 'fire-and-purge') this.contents.remove(this.windowNs);
  }

  /** Merges `w` with the current key's session windows it touches; returns the resulting window. */
  private mergeInto(w: TimeWindow): TimeWindow {
    let merged = w;
    const absorbed: WindowEntry[] = [];
    for (const e of this.contents.values()) {
      const other = new TimeWindow(e.start, e.end);
      if (other.intersects(merged)) {
        merged = merged.cover(other);
        absorbed.push(e);
      }
    }
    if (absorbed.length === 0) return w;
    if (absorbed.length === 1 && absorbed[0]!.start === merged.start && absorbed[0]!.end === merged.end) return merged;
    let acc: unknown;
    for (const e of absorbed) {
      acc = acc === undefined ? e.acc : this.fn.merge(acc, e.acc);
      const old = new TimeWindow(e.start, e.end);
      this.clearWindow(old);
    }
    this.setWindow(merged);
    this.contents.put(this.windowNs, { start: merged.start, end: merged.end, acc });
    this.registerCleanup(merged);
    this.trigger.onMerge(merged, this.triggerContext);
    return merged;
  }

  private clearWindow(w: TimeWindow): void {
    const ns = windowId(w);
    const saved = this.windowNs;
    this.windowNs = ns;
    this.contents.remove(ns);
    this.trigger.clear(w, this.triggerContext);
    this.timers!.delete(this.assigner.isEventTime ? 'event-time' : 'processing-time', this.cleanupTime(w), ns);
    this.windowNs = saved;
  }

  private setWindow(w: TimeWindow): void {
    this.window = w;
    this.windowNs = this.windowIds.of(w);
  }

  private cleanupTime(w: TimeWindow): number {
    return this.assigner.isEventTime ? w.maxTimestamp() + this.allowedLateness : w.maxTimestamp();
  }

  private registerCleanup(w: TimeWindow): void {
    this.timers!.register(this.assigner.isEventTime ? 'event-time' : 'processing-time', this.cleanupTime(w), this.windowNs);
  }

  private isWindowLate(w: TimeWindow): boolean {
    return this.assigner.isEventTime && this.cleanupTime(w) <= this.currentWatermark;
  }
}
