import type { PartitionerSpec } from '../graph/transformation.ts';
import { keyGroupFor, subtaskForKeyGroup } from '../core/key-group.ts';

/** Picks the output channel of each record of an edge; channel i leads to consumer subtask i. */
export interface ChannelSelector {
  /** Every record goes to every channel. */
  readonly broadcast: boolean;
  select(value: unknown): number;
}

class ForwardSelector implements ChannelSelector {
  readonly broadcast = false;
  select(): number {
    return 0;
  }
}

class BroadcastSelector implements ChannelSelector {
  readonly broadcast = true;
  select(): number {
    return 0;
  }
}

/** Round robin; each producer starts at its own index so small inputs still spread. */
class RebalanceSelector implements ChannelSelector {
  readonly broadcast = false;
  constructor(
    private readonly channels: number,
    private next: number,
  ) {}
  select(): number {
    const c = this.next;
    this.next = c + 1 === this.channels ? 0 : c + 1;
    return c;
  }
}

/** keyBy: the consumer that owns the key's key group. */
class KeyGroupSelector implements ChannelSelector {
  readonly broadcast = false;
  constructor(
    private readonly keySelector: (value: unknown) => string | number | bigint | boolean,
    private readonly channels: number,
    private readonly maxParallelism: number,
  ) {}
  select(value: unknown): number {
    return subtaskForKeyGroup(this.maxParallelism, this.channels, keyGroupFor(this.keySelector(value), this.maxParallelism));
  }
}

export function createChannelSelector(
  spec: PartitionerSpec,
  channels: number,
  producerIndex: number,
  maxParallelism: number,
): ChannelSelector {
  switch (spec.kind) {
    case 'forward':
      if (channels !== 1) throw new Error(`a forward edge has exactly one channel per producer, got ${channels}`);
      return new ForwardSelector();
    case 'broadcast':
      return new BroadcastSelector();
    case 'rebalance':
      return new RebalanceSelector(channels, producerIndex % channels);
    case 'hash':
      return new KeyGroupSelector(spec.keySelector, channels, maxParallelism);
  }
}
