import type { Key } from '../core/key.ts';
import { HeapKeyedStateBackend } from '../state/heap-keyed-state-backend.ts';
import { OperatorStateStore } from '../state/operator-state-store.ts';
import {
  decodeEntry,
  decodeKeyGroup,
  encodeEntry,
  encodeKeyGroup,
  type KeyGroupBlob,
  type OperatorSnapshot,
  type OperatorStateRestore,
} from '../state/state-snapshot.ts';
import { InternalTimerService, type Timer, type Triggerable } from '../state/timer-service.ts';
import type { Output } from './output.ts';
import type { OperatorContext, StreamOperator } from './stream-operator.ts';

/**
 * Base of all operators: keeps the context, and for operators on a keyed stream the keyed state
 * backend and timers; snapshots and restores them per key group together with operator state.
 */
export abstract class AbstractStreamOperator implements StreamOperator, Triggerable {
  recordsIn = 0;
  protected ctx!: OperatorContext;
  protected output!: Output;
  protected keyed: HeapKeyedStateBackend | undefined;
  protected timers: InternalTimerService | undefined;
  protected readonly operatorState = new OperatorStateStore();
  protected currentWatermark = Number.NEGATIVE_INFINITY;

  setup(context: OperatorContext): void {
    this.ctx = context;
    this.output = context.output;
    if (context.keySelector) {
      this.keyed = new HeapKeyedStateBackend(context.keyGroupRange, context.maxParallelism);
      this.timers = new InternalTimerService(this.keyed, context.keyGroupRange, context.time, this);
    }
  }

  initializeState(restore: OperatorStateRestore): void {
    if (restore.keyGroups.length > 0 && !this.keyed) {
      throw new Error(`operator "${this.ctx.name}" has keyed state in the snapshot but is not on a keyed stream`);
    }
    for (const { keyGroup, bytes } of restore.keyGroups) {
      const content = decodeKeyGroup(bytes);
      this.keyed!.restoreKeyGroup(keyGroup, content.states);
      this.timers!.restoreKeyGroup(keyGroup, content.timers);
    }
    this.operatorState.restore(restore.operatorState.map((l) => [l.name, l.entries.map(decodeEntry)] as const));
  }

  open(): void {}

  /** The operator's event time advanced to `timestamp` (its input's, or its inputs' combined): fires timers, forwards it. */
  processWatermark(timestamp: number): void {
    this.currentWatermark = timestamp;
    this.timers?.advanceWatermark(timestamp);
    this.output.emitWatermark(timestamp);
  }

  processIdle(idle: boolean): void {
    this.output.emitIdle(idle);
  }

  finish(): void {}

  close(): void {}

  snapshotState(_checkpointId: number): OperatorSnapshot {
    const keyGroups: KeyGroupBlob[] = [];
    if (this.keyed && this.timers) {
      const { start, end } = this.ctx.keyGroupRange;
      for (let g = start; g <= end; g++) {
        const states = this.keyed.snapshotKeyGroup(g);
        const timers = this.timers.snapshotKeyGroup(g);
        if (states.length > 0 || timers.length > 0) keyGroups.push({ keyGroup: g, bytes: encodeKeyGroup({ states, timers }) });
      }
    }
    return {
      operatorId: this.ctx.operatorId,
      subtaskIndex: this.ctx.subtaskIndex,
      parallelism: this.ctx.parallelism,
      maxParallelism: this.ctx.maxParallelism,
      keyGroupRange: this.keyed ? this.ctx.keyGroupRange : null,
      keyGroups,
      // Broadcast state is equal in every subtask: subtask 0 writes it for all.
      operatorState: this.operatorState.snapshot(this.ctx.subtaskIndex === 0).map(({ name, entries, mode }) => ({ name, mode, entries: entries.map(encodeEntry) })),
    };
  }

  notifyCheckpointComplete(_checkpointId: number): void {}

  onEventTime(_timer: Timer): void {}

  onProcessingTime(_timer: Timer): void {}

  /** Makes the key of `value` the current key for state and timers. */
  protected setKeyOf(value: unknown): Key {
    const key = this.ctx.keySelector!(value);
    this.keyed!.setCurrentKey(key);
    return key;
  }
}
