/** Records in and out of one operator, summed over its subtasks. */
export interface OperatorResult {
  readonly operatorId: string;
  readonly name: string;
  readonly uid: string | undefined;
  readonly parallelism: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

/** What `execute()` returns once a job finished. */
export class JobExecutionResult {
  constructor(
    readonly jobName: string,
    readonly jobId: string,
    readonly durationMs: number,
    readonly operators: readonly OperatorResult[],
  ) {}

  /** The operator with this uid or, failing that, this name. */
  operator(uidOrName: string): OperatorResult {
    const op = this.operators.find((o) => o.uid === uidOrName) ?? this.operators.find((o) => o.name === uidOrName);
    if (!op) throw new Error(`job "${this.jobName}" has no operator with uid or name "${uidOrName}"`);
    return op;
  }
}
