import { StreamExecutionEnvironment } from '../api/stream-execution-environment.ts';
import { LocalExecutor, type LocalExecutorOptions } from './local-executor.ts';

/**
 * An environment whose `execute` runs every subtask in this process (Flink's
 * `createLocalEnvironment`). The API itself has no default executor: whoever composes the program
 * (the `sluice` command, a test, a benchmark) chooses where a job runs.
 */
export function localEnvironment(options: LocalExecutorOptions = {}): StreamExecutionEnvironment {
  return new StreamExecutionEnvironment({ executor: new LocalExecutor(options) });
}
