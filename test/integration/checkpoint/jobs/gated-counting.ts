import type { StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { ExactlyOnceFileSink } from '../../../../runtime/connectors/exactly-once-file-sink.ts';
import { AbstractStreamOperator } from '../../../../runtime/operators/abstract-stream-operator.ts';
import { countedNumbers } from '../job-fixture.ts';

/**
 * Passes records on; in the job's first attempt subtask 1 never completes its `finish`, so that
 * subtask stays at end of input while the other sink subtask ends: the moment a test kills a
 * TaskManager. Later attempts finish normally.
 */
class HoldingGate extends AbstractStreamOperator {
  processElement(value: unknown, timestamp: number): void {
    this.output.collect(value, timestamp);
  }

  override finish(): void | Promise<void> {
    if (this.ctx.subtaskIndex === 1 && this.ctx.attemptNumber === 1) return new Promise<void>(() => {});
  }
}

/**
 * The counting job of the checkpoint e2e tests with the holding gate before its exactly-once sink.
 * Args: output directory, record count, records per second.
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  countedNumbers(env, Number(args[1]), Number(args[2]))
    .then<[number, number]>('gate', () => new HoldingGate())
    .uid('gate')
    .sinkTo(new ExactlyOnceFileSink<[number, number]>(args[0]!))
    .uid('committed-counts');
};
