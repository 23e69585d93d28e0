import { describe, expect, it } from '@jest/globals';
import type { ChannelElement } from '../../../../runtime/network/channel.ts';
import { InputGate } from '../../../../runtime/network/input-gate.ts';
import { LocalChannel } from '../../../../runtime/network/local-channel.ts';
import { BlockableInputChannel } from '../../../../runtime/task/blockable-input-channel.ts';
import { CheckpointBarrierAligner } from '../../../../runtime/task/checkpoint-barrier-aligner.ts';
import { CheckpointBarrierTracker } from '../../../../runtime/task/checkpoint-barrier-tracker.ts';

const barrier = (checkpointId: number) => ({ kind: 'barrier', checkpointId, timestamp: checkpointId * 10, savepoint: false }) as const;

/** Two producers into one gate through blockable channels, read the way a task reads: poll, hand barriers to the aligner. */
function setup(channels = 2) {
  const local = Array.from({ length: channels }, (_, i) => new LocalChannel(i, { batchSize: 1, capacity: 100 }));
  const blockable = local.map((c) => new BlockableInputChannel(c));
  const gate = new InputGate(blockable);
  const seen: string[] = [];
  const aligner = new CheckpointBarrierAligner(blockable, (id, ts) => seen.push(`snapshot ${id}@${ts}`));
  const drain = () => {
    for (let e: ChannelElement | null; (e = gate.pollNext()) !== null; ) {
      const from = gate.lastChannel;
      if ('kind' in e) {
        if (e.kind === 'barrier') aligner.onBarrier(from, e.checkpointId, e.timestamp, e.savepoint);
        else if (e.kind === 'end-of-partition') aligner.onEndOfPartition();
      } else seen.push(`${from}:${e.values.join(',')}`);
    }
  };
  return { local, blockable, seen, drain };
}

describe('CheckpointBarrierAligner', () => {
  it('holds back a channel after its barrier until every channel delivered the barrier, snapshotting before the held records', () => {
    const { local, blockable, seen, drain } = setup();
    local[0]!.emit('a1', 0);
    local[0]!.emitEvent(barrier(1));
    local[0]!.emit('a2', 0);
    local[0]!.flush();
    local[1]!.emit('b1', 0);
    local[1]!.emit('b2', 0);
    local[1]!.flush();
    drain();
    // a2 waits behind the barrier of channel 0 while channel 1 still delivers records before its barrier.
    expect(seen).toEqual(['0:a1', '1:b1', '1:b2']);
    expect(blockable[0]!.isBlocked).toBe(true);
    local[1]!.emitEvent(barrier(1));
    local[1]!.emit('b3', 0);
    local[1]!.flush();
    drain();
    expect(seen.slice(0, 4)).toEqual(['0:a1', '1:b1', '1:b2', 'snapshot 1@10']);
    expect(seen.slice(4).sort()).toEqual(['0:a2', '1:b3']);
    expect(blockable.map((c) => c.isBlocked)).toEqual([false, false]);
  });

  it('completes when the channels without a barrier have ended', () => {
    const { local, seen, drain } = setup(3);
    local[2]!.emitEvent({ kind: 'end-of-partition' });
    local[0]!.emitEvent(barrier(4));
    local[0]!.emit('late', 0);
    local[0]!.flush();
    drain();
    expect(seen).toEqual([]);
    local[1]!.emitEvent(barrier(4));
    drain();
    expect(seen).toEqual(['snapshot 4@40', '0:late']);
  });

  it('completes when the last channel without a barrier ends during the alignment, and later checkpoints count it as aligned', () => {
    const { local, blockable, seen, drain } = setup(2);
    local[0]!.emitEvent(barrier(5));
    local[0]!.emit('after-5', 0);
    local[0]!.flush();
    local[1]!.emit('last', 0);
    local[1]!.emitEvent({ kind: 'end-of-partition' });
    drain();
    // Channel 1 delivered its last record before it ended (a producer that reached end of input, not a barrier).
    expect(seen).toEqual(['1:last', 'snapshot 5@50', '0:after-5']);
    expect(blockable.map((c) => c.isBlocked)).toEqual([false, false]);
    // The ended channel never sends barrier 6: channel 0's barrier alone completes it.
    local[0]!.emitEvent(barrier(6));
    local[0]!.emit('after-6', 0);
    local[0]!.flush();
    drain();
    expect(seen.slice(3)).toEqual(['snapshot 6@60', '0:after-6']);
  });

  it('abandons an older alignment when a newer barrier arrives, and ignores stale barriers', () => {
    const { local, seen, drain } = setup();
    local[0]!.emitEvent(barrier(1));
    drain();
    local[1]!.emitEvent(barrier(2));
    drain();
    expect(seen).toEqual([]);
    // Channel 0 was released when checkpoint 2 overtook 1; its barrier 2 completes the alignment.
    local[0]!.emitEvent(barrier(2));
    local[1]!.emitEvent(barrier(1));
    local[1]!.emit('after', 0);
    local[1]!.flush();
    drain();
    expect(seen).toEqual(['snapshot 2@20', '1:after']);
  });
});

describe('CheckpointBarrierTracker (at-least-once)', () => {
  it('reports a checkpoint once its barrier arrived on every channel that has not ended', () => {
    const done: number[] = [];
    const tracker = new CheckpointBarrierTracker(3, (id) => done.push(id));
    tracker.onBarrier(0, 1, 10, false);
    tracker.onEndOfPartition(2);
    expect(done).toEqual([]);
    tracker.onBarrier(1, 1, 10, false);
    expect(done).toEqual([1]);
    // Checkpoint 2 waits for channel 1 only until it ends.
    tracker.onBarrier(0, 2, 20, false);
    tracker.onEndOfPartition(1);
    expect(done).toEqual([1, 2]);
    tracker.onBarrier(0, 3, 30, false);
    expect(done).toEqual([1, 2, 3]);
  });
});
