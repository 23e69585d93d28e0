import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataPlane } from '../../../runtime/network/data-plane.ts';
import { flatten, startPlane } from './data-plane-fixture.ts';

const planes: DataPlane[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  await Promise.all(planes.splice(0).map((p) => p.close()));
});

const BUFFER_SIZE = 4096;
const BUFFER_RECORDS = 128;
const CREDITS = 4;
const MAX_QUEUED = 4;
const BURST = 64;
const RECORDS = 12_000;

describe('credit-based backpressure', () => {
  it('keeps the sender bounded and paced by a slow receiver, and loses nothing', async () => {
    const options = { bufferSize: BUFFER_SIZE, bufferRecords: BUFFER_RECORDS, creditsPerChannel: CREDITS, maxQueuedBuffers: MAX_QUEUED, bufferTimeout: 1000 };
    const sender = await startPlane('fast-source', options);
    const receiver = await startPlane('slow-sink', options);
    planes.push(sender.plane, receiver.plane);

    // The slow consumer takes one element every 2 ms, however much is waiting.
    const input = receiver.plane.registerInput(1);
    const received: string[] = [];
    let consumed = 0;
    const done = new Promise<void>((resolve, reject) => {
      timers.push(
        setInterval(() => {
          try {
            const element = input.poll();
            if (element === null) return;
            received.push(...flatten([element]));
            if ('values' in element) consumed += element.values.length;
            else if (element.kind === 'end-of-partition') resolve();
          } catch (error) {
            reject(error);
          }
        }, 2),
      );
    });

    const writer = sender.plane.createWriter(receiver.address, 1);
    let maxQueuedBytes = 0;
    let maxSocketBytes = 0;
    let maxLead = 0;
    let waits = 0;
    for (let i = 0; i < RECORDS; i++) {
      if (i % BURST === 0) {
        maxQueuedBytes = Math.max(maxQueuedBytes, writer.queuedBytes);
        maxSocketBytes = Math.max(maxSocketBytes, sender.plane.sendBufferedBytes);
        maxLead = Math.max(maxLead, i - consumed);
        if (!writer.isAvailable()) {
          waits++;
          await writer.availability();
        }
      }
      writer.emit({ seq: i, payload: 'abcdefghijklmnopqrstuvwxyz' }, i);
    }
    writer.emitEvent({ kind: 'end-of-partition' });
    writer.close();
    await done;

    expect(received).toEqual([...Array.from({ length: RECORDS }, (_, i) => `{"seq":${i},"payload":"abcdefghijklmnopqrstuvwxyz"}@${i}`), 'end-of-partition']);
    // The producer had to wait for the consumer many times ...
    expect(waits).toBeGreaterThan(RECORDS / BUFFER_RECORDS / 4);
    // ... so it never ran ahead by more than what credits, the queue and the open batch can hold.
    expect(maxLead).toBeLessThanOrEqual((CREDITS + MAX_QUEUED + 2) * BUFFER_RECORDS);
    // Memory stayed bounded: at most the queue (plus the batch that filled it) waits in the
    // sender, at most the credited frames sit in the socket. A batch may overshoot bufferSize
    // while its record limit adapts, hence the factor 2.
    expect(maxQueuedBytes).toBeGreaterThan(0);
    expect(maxQueuedBytes).toBeLessThanOrEqual((MAX_QUEUED + 1) * 2 * BUFFER_SIZE);
    expect(maxSocketBytes).toBeLessThanOrEqual(CREDITS * 2 * BUFFER_SIZE);
    expect([...sender.errors, ...receiver.errors]).toEqual([]);
  });
});
