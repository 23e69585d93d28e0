import { GeneratorSource, WatermarkStrategy } from '../runtime/api/index.ts';
import type { DataStream, StreamExecutionEnvironment } from '../runtime/api/index.ts';

/**
 * The classic: count words in a few lines of text. Prints (word, count) updates as they happen.
 * Arguments: lines of text; or `--unbounded`, which repeats TEXT forever at LINES_PER_SECOND (what
 * examples/wordcount.yaml runs, so `npm start` shows a job that keeps running and checkpointing).
 */
export const TEXT = [
  'To be, or not to be, that is the question:',
  'Whether tis nobler in the mind to suffer',
  'The slings and arrows of outrageous fortune,',
  'Or to take arms against a sea of troubles,',
  'And by opposing end them.',
];

export const UNBOUNDED = '--unbounded';
const LINES_PER_SECOND = 2;

function lines(env: StreamExecutionEnvironment, args: string[]): DataStream<string> {
  if (args[0] === UNBOUNDED) {
    const source = new GeneratorSource({ generate: (n: number) => TEXT[n % TEXT.length]!, recordsPerSecond: LINES_PER_SECOND });
    return env.fromSource(source, WatermarkStrategy.noWatermarks<string>(), 'Source: Text').uid('text');
  }
  return env.fromCollection(args.length > 0 ? args : TEXT).name('Source: Text');
}

/** The running count of each word of `lines` (lower-cased, split at non-word characters). */
export function wordCounts(lines: DataStream<string>): DataStream<[string, number]> {
  return lines
    .flatMap<[string, number]>((line, out) => {
      for (const word of line.toLowerCase().split(/\W+/)) if (word) out.collect([word, 1]);
    })
    .name('Tokenizer')
    .keyBy(([word]) => word)
    .sum(1)
    .name('Counts')
    .uid('counts');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  wordCounts(lines(env, args)).print();
};
