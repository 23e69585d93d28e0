import type { ListState, MapState, ReducingState, ValueState } from '../state/keyed-state.ts';
import type {
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../state/state-descriptor.ts';

/** What a rich function sees of the subtask it runs in. */
export interface RuntimeContext {
  getTaskName(): string;
  getOperatorId(): string;
  getIndexOfThisSubtask(): number;
  getNumberOfParallelSubtasks(): number;
  getMaxNumberOfParallelSubtasks(): number;
  getAttemptNumber(): number;
  /** Keyed state, scoped to the key of the record being processed; only on keyed streams. */
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  /** Operator (non-keyed) list state, redistributed across subtasks on restore. */
  getOperatorListState<T>(name: string): ListState<T>;
}
