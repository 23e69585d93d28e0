// committedBatches: what a read_committed reader keeps of a fetch response, as Java's consumer
// decides it: control batches and batches of aborted transactions out, the rest in order.
import { describe, expect, it } from '@jest/globals';
import { committedBatches, type RecordBatch } from '../../../../../runtime/connectors/kafka/partition-fetcher.ts';

const TRANSACTIONAL = 1 << 4;
const CONTROL = 1 << 5;

function batch(firstOffset: number, count: number, producerId: number, attributes = 0): RecordBatch {
  return {
    firstOffset: BigInt(firstOffset),
    lastOffsetDelta: count - 1,
    producerId: BigInt(producerId),
    attributes,
    records: Array.from({ length: count }, (_, i) => ({ offsetDelta: i, value: Buffer.from(`${producerId}@${firstOffset + i}`), key: null, headers: [], attributes: 0, timestampDelta: 0n, length: 0 })),
  } as unknown as RecordBatch;
}

/** A control batch (one record) whose key says abort (type 0) or commit (type 1). */
function marker(offset: number, producerId: number, commit: boolean): RecordBatch {
  const b = batch(offset, 1, producerId, TRANSACTIONAL | CONTROL);
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? 1 : 0, 2);
  (b.records[0] as { key: Buffer | null }).key = key;
  return b;
}

const offsets = (batches: RecordBatch[]) => batches.map((b) => Number(b.firstOffset));

describe('committedBatches', () => {
  it('drops control batches and the batches of an aborted transaction up to its abort marker, keeps a committed one and plain records', () => {
    const batches = [batch(0, 2, 1), batch(2, 2, 7, TRANSACTIONAL), batch(4, 2, 8, TRANSACTIONAL), marker(6, 7, false), marker(7, 8, true), batch(8, 1, 1)];
    expect(offsets(committedBatches(batches, [{ producerId: 7n, firstOffset: 2n }], 0n))).toEqual([0, 4, 8]);
  });

  it('drops an aborted transaction whose abort marker is in a later response', () => {
    const batches = [batch(10, 3, 5, TRANSACTIONAL), batch(13, 1, 2)];
    expect(offsets(committedBatches(batches, [{ producerId: 5n, firstOffset: 10n }], 10n))).toEqual([13]);
  });

  it('keeps the same producer transactional batches after its abort marker (its next transaction, committed)', () => {
    const batches = [batch(0, 1, 3, TRANSACTIONAL), marker(1, 3, false), batch(2, 1, 3, TRANSACTIONAL), marker(3, 3, true)];
    expect(offsets(committedBatches(batches, [{ producerId: 3n, firstOffset: 0n }], 0n))).toEqual([2]);
  });

  it('takes an abort marker without a listed transaction in its stride, and drops batches that end before the fetch offset', () => {
    const batches = [batch(0, 5, 1), marker(5, 9, false), batch(6, 2, 1)];
    expect(offsets(committedBatches(batches, [], 5n))).toEqual([6]);
  });
});
