import type { OutputTag } from '../api/output-tag.ts';

/** Where an operator sends what it produces: records (main and side outputs) and time. */
export interface Output {
  collect(value: unknown, timestamp: number): void;
  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void;
  emitWatermark(timestamp: number): void;
  emitIdle(idle: boolean): void;
}

/** One receiver of an operator's records: the next operator in the chain or a record writer. */
export interface RecordTarget {
  push(value: unknown, timestamp: number): void;
  watermark(timestamp: number): void;
  idle(idle: boolean): void;
}

/**
 * The output of one operator in a chain. Counts the records it emits (the operator's
 * "records out") and fans them out to its targets; the common case of one target is a direct call.
 */
export class OperatorOutput implements Output {
  recordsOut = 0;
  private readonly all: RecordTarget[];
  private readonly single: RecordTarget | undefined;

  constructor(
    private readonly main: readonly RecordTarget[],
    private readonly sides: ReadonlyMap<string, readonly RecordTarget[]>,
  ) {
    this.single = main.length === 1 ? main[0] : undefined;
    this.all = [...new Set([...main, ...[...sides.values()].flat()])];
  }

  collect(value: unknown, timestamp: number): void {
    this.recordsOut++;
    if (this.single !== undefined) {
      this.single.push(value, timestamp);
      return;
    }
    for (let i = 0; i < this.main.length; i++) this.main[i]!.push(value, timestamp);
  }

  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void {
    const targets = this.sides.get(tag.id);
    if (targets === undefined) return;
    this.recordsOut++;
    for (let i = 0; i < targets.length; i++) targets[i]!.push(value, timestamp);
  }

  emitWatermark(timestamp: number): void {
    for (const t of this.all) t.watermark(timestamp);
  }

  emitIdle(idle: boolean): void {
    for (const t of this.all) t.idle(idle);
  }
}
