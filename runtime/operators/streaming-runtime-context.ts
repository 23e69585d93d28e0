import type { RuntimeContext } from '../functions/runtime-context.ts';
import type { HeapKeyedStateBackend } from '../state/heap-keyed-state-backend.ts';
import type { ListState, MapState, ReducingState, ValueState } from '../state/keyed-state.ts';
import type { OperatorStateStore } from '../state/operator-state-store.ts';
import type {
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../state/state-descriptor.ts';
import type { OperatorContext } from './stream-operator.ts';

/** The RuntimeContext given to rich functions. */
export class StreamingRuntimeContext implements RuntimeContext {
  constructor(
    private readonly ctx: OperatorContext,
    private readonly keyed: HeapKeyedStateBackend | undefined,
    private readonly operatorState: OperatorStateStore,
  ) {}

  getTaskName(): string {
    return this.ctx.taskName;
  }
  getOperatorId(): string {
    return this.ctx.operatorId;
  }
  getIndexOfThisSubtask(): number {
    return this.ctx.subtaskIndex;
  }
  getNumberOfParallelSubtasks(): number {
    return this.ctx.parallelism;
  }
  getMaxNumberOfParallelSubtasks(): number {
    return this.ctx.maxParallelism;
  }
  getAttemptNumber(): number {
    return this.ctx.attemptNumber;
  }
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.keyedState(descriptor) as ValueState<T>;
  }
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.keyedState(descriptor) as ListState<T>;
  }
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return this.keyedState(descriptor) as MapState<UK, UV>;
  }
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.keyedState(descriptor as ReducingStateDescriptor<unknown>) as ReducingState<T>;
  }
  getOperatorListState<T>(name: string): ListState<T> {
    return this.operatorState.getListState<T>(name);
  }

  private keyedState(descriptor: StateDescriptor) {
    if (!this.keyed) {
      throw new Error(`keyed state "${descriptor.name}" is only available on a keyed stream (after keyBy) in operator "${this.ctx.name}"`);
    }
    return this.keyed.getState(descriptor);
  }
}
