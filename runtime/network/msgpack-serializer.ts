import { Packr, Unpackr } from 'msgpackr';
import type { TypeSerializer } from '../core/type-serializer.ts';

/**
 * The default serializer: one msgpackr `pack` over the whole batch with records enabled, so an
 * object shape is described once per batch and each record costs only its values. Every batch is
 * self-describing (no structures shared across batches), so batches decode in any order and a
 * receiver needs no state from earlier batches.
 */
export class MsgpackSerializer<T = unknown> implements TypeSerializer<T> {
  private readonly packr = new Packr({ useRecords: true });
  private readonly unpackr = new Unpackr({ useRecords: true });

  /** The returned bytes stay valid after later calls: msgpackr never rewrites a buffer it returned. */
  encodeBatch(values: readonly T[]): Uint8Array {
    return this.packr.pack(values);
  }

  decodeBatch(bytes: Uint8Array): T[] {
    const decoded: unknown = this.unpackr.unpack(bytes);
    if (!Array.isArray(decoded)) {
      throw new Error(`msgpack batch decodes to ${typeof decoded}, expected an array of records`);
    }
    return decoded as T[];
  }
}
