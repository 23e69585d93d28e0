import type { StreamExecutionEnvironment } from '../runtime/api/index.ts';

/** The classic: count words in a few lines of text. Prints (word, count) updates as they happen. */
export const TEXT = [
  'To be, or not to be, that is the question:',
  'Whether tis nobler in the mind to suffer',
  'The slings and arrows of outrageous fortune,',
  'Or to take arms against a sea of troubles,',
  'And by opposing end them.',
];

export default (env: StreamExecutionEnvironment, args: string[]) => {
  const lines = args.length > 0 ? args : TEXT;
  env
    .fromCollection(lines)
    .name('Source: Text')
    .flatMap<[string, number]>((line, out) => {
      for (const word of line.toLowerCase().split(/\W+/)) if (word) out.collect([word, 1]);
    })
    .name('Tokenizer')
    .keyBy(([word]) => word)
    .sum(1)
    .name('Counts')
    .uid('counts')
    .print();
};
