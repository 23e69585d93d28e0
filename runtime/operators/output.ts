import type { OutputTag } from '../functions/output-tag.ts';

/** Where an operator sends what it produces: records (main and side outputs) and time. */
export interface Output {
  collect(value: unknown, timestamp: number): void;
  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void;
  emitWatermark(timestamp: number): void;
  emitIdle(idle: boolean): void;
}

/**
 * One receiver of an operator's records: the next operator of the chain itself (so a record
 * costs one direct call) or an outgoing edge's record writer.
 */
export interface RecordTarget {
  processElement(value: unknown, timestamp: number): void;
  processWatermark(timestamp: number): void;
  processIdle(idle: boolean): void;
}

/** A target and how to name it in a failure. */
export interface BlamedTarget {
  readonly target: RecordTarget;
  readonly blame: (error: unknown) => Error;
}

/**
 * The output of one operator in a chain. Counts what it emits and fans records out to its
 * targets; the common case of one target is a single direct call.
 */
export class OperatorOutput implements Output {
  /** Records emitted on the main output. */
  mainRecords = 0;
  private readonly sideRecords = new Map<string, number>();
  private readonly single: RecordTarget | undefined;
  private readonly singleBlame: ((error: unknown) => Error) | undefined;
  private readonly all: BlamedTarget[];

  constructor(
    private readonly main: readonly BlamedTarget[],
    private readonly sides: ReadonlyMap<string, readonly BlamedTarget[]>,
  ) {
    this.single = main.length === 1 ? main[0]!.target : undefined;
    this.singleBlame = main.length === 1 ? main[0]!.blame : undefined;
    const unique = new Map<RecordTarget, BlamedTarget>();
    for (const t of [...main, ...[...sides.values()].flat()]) unique.set(t.target, t);
    this.all = [...unique.values()];
  }

  /** Records emitted on the main output and all side outputs. */
  get recordsOut(): number {
    let n = this.mainRecords;
    for (const c of this.sideRecords.values()) n += c;
    return n;
  }

  /** Records emitted on the side output `tagId`. */
  sideCount(tagId: string): number {
    return this.sideRecords.get(tagId) ?? 0;
  }

  collect(value: unknown, timestamp: number): void {
    this.mainRecords++;
    const single = this.single;
    if (single !== undefined) {
      try {
        single.processElement(value, timestamp);
      } catch (e) {
        throw this.singleBlame!(e);
      }
      return;
    }
    for (let i = 0; i < this.main.length; i++) push(this.main[i]!, value, timestamp);
  }

  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void {
    const targets = this.sides.get(tag.id);
    if (targets === undefined) return;
    this.sideRecords.set(tag.id, (this.sideRecords.get(tag.id) ?? 0) + 1);
    for (let i = 0; i < targets.length; i++) push(targets[i]!, value, timestamp);
  }

  emitWatermark(timestamp: number): void {
    for (const t of this.all) {
      try {
        t.target.processWatermark(timestamp);
      } catch (e) {
        throw t.blame(e);
      }
    }
  }

  emitIdle(idle: boolean): void {
    for (const t of this.all) t.target.processIdle(idle);
  }
}

function push(t: BlamedTarget, value: unknown, timestamp: number): void {
  try {
    t.target.processElement(value, timestamp);
  } catch (e) {
    throw t.blame(e);
  }
}
