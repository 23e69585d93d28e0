import { describe, expect, it } from '@jest/globals';
import type { ChannelElement } from '../../../runtime/network/channel.ts';
import { InputGate } from '../../../runtime/network/input-gate.ts';
import { LocalChannel } from '../../../runtime/network/local-channel.ts';
import { BlockableInputChannel } from '../../../runtime/task/blockable-input-channel.ts';
import { CheckpointBarrierAligner } from '../../../runtime/task/checkpoint-barrier-aligner.ts';

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
