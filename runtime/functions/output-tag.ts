/** Identifies a side output of an operator; the type parameter is the side output's record type. */
export class OutputTag<T> {
  declare readonly __type?: T;
  constructor(readonly id: string) {
    if (!id) throw new TypeError('OutputTag id must be a non-empty string');
  }
}
