import { AsyncDataStream, GeneratorSource, WatermarkStrategy, type StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { ExactlyOnceFileSink } from '../../../../runtime/connectors/exactly-once-file-sink.ts';

/** The service's answer for `n`, which a lookup takes 0-9 ms to give. */
export const answer = (n: number): [number, number] => [n, (n * 7919) % 1000];

/** Every line an uninterrupted run commits. */
export function expectedAnswers(total: number): string[] {
  return Array.from({ length: total }, (_, n) => JSON.stringify(answer(n))).sort();
}

/**
 * Numbers from a rate-limited replayable generator, each looked up in a slow service by async I/O
 * (unordered, at most 16 calls in flight per subtask), committed by the exactly-once file sink;
 * stable uids, so a run restores another at any parallelism.
 * Args: output directory, record count, records per second.
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  const [output, total, rate] = [args[0]!, Number(args[1]), Number(args[2])];
  const numbers = env
    .fromSource(new GeneratorSource({ count: total, recordsPerSecond: rate, generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'Numbers')
    .uid('numbers');
  const lookup = (n: number) => new Promise<[number, number][]>((resolve) => setTimeout(() => resolve([answer(n)]), n % 10));
  AsyncDataStream.unorderedWait(numbers, lookup, 5000, 16)
    .uid('lookup')
    // A vertex of its own, so the sink's records in tell how far the lookups got.
    .rebalance()
    .sinkTo(new ExactlyOnceFileSink<[number, number]>(output))
    .uid('committed-answers');
};
