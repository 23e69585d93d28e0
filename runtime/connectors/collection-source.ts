import { GeneratorSource } from './generator-source.ts';

/** A bounded source over an in-memory collection (fromElements/fromCollection): a generator indexing it. */
export class CollectionSource<T> extends GeneratorSource<T> {
  constructor(values: readonly T[]) {
    super({ count: values.length, generate: (n) => values[n]! });
  }
}
