/** A failure inside an operator, naming it so a job's failure points at the user's code. */
export class OperatorError extends Error {
  constructor(
    readonly operatorName: string,
    readonly operatorUid: string | undefined,
    readonly operatorId: string,
    readonly subtaskIndex: number,
    cause: unknown,
  ) {
    const uid = operatorUid === undefined ? '' : `, uid "${operatorUid}"`;
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`operator "${operatorName}"${uid} (id ${operatorId}, subtask ${subtaskIndex}) failed: ${msg}`, { cause });
    this.name = 'OperatorError';
  }
}
