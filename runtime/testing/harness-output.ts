import type { OutputTag } from '../functions/output-tag.ts';
import type { Output } from '../operators/output.ts';

/** What an operator under test emitted, in order: records with their timestamps, watermarks, idleness. */
export type EmittedElement<T = unknown> =
  | { readonly kind: 'record'; readonly value: T; readonly timestamp: number }
  | { readonly kind: 'watermark'; readonly timestamp: number }
  | { readonly kind: 'idle'; readonly idle: boolean };

/** The output an operator under test writes to: keeps everything in order, side outputs per tag. */
export class HarnessOutput implements Output {
  readonly elements: EmittedElement[] = [];
  readonly sideOutputs = new Map<string, { value: unknown; timestamp: number }[]>();

  collect(value: unknown, timestamp: number): void {
    this.elements.push({ kind: 'record', value, timestamp });
  }

  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void {
    const list = this.sideOutputs.get(tag.id) ?? [];
    list.push({ value, timestamp });
    this.sideOutputs.set(tag.id, list);
  }

  emitWatermark(timestamp: number): void {
    this.elements.push({ kind: 'watermark', timestamp });
  }

  emitIdle(idle: boolean): void {
    this.elements.push({ kind: 'idle', idle });
  }
}
