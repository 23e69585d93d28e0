/** Names a piece of keyed state and its kind, as in Flink. The name is its id in snapshots. */

export class ValueStateDescriptor<T> {
  readonly kind = 'value';
  constructor(
    readonly name: string,
    readonly defaultValue?: T,
  ) {}
}

export class ListStateDescriptor<T> {
  readonly kind = 'list';
  declare readonly __type?: T;
  constructor(readonly name: string) {}
}

export class MapStateDescriptor<UK, UV> {
  readonly kind = 'map';
  declare readonly __type?: [UK, UV];
  constructor(readonly name: string) {}
}

export class ReducingStateDescriptor<T> {
  readonly kind = 'reducing';
  constructor(
    readonly name: string,
    readonly reduce: (a: T, b: T) => T,
  ) {}
}

export type StateDescriptor =
  | ValueStateDescriptor<unknown>
  | ListStateDescriptor<unknown>
  | MapStateDescriptor<unknown, unknown>
  | ReducingStateDescriptor<unknown>;
