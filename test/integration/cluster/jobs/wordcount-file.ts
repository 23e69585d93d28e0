import { FileSink, type StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { TEXT } from '../../../../examples/wordcount.ts';

/** WordCount over 40 copies of the example text into part files: `args[0]` is the output directory. */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  const lines = Array.from({ length: 40 }, (_, i) => TEXT[i % TEXT.length]!);
  env
    .fromCollection(lines)
    .flatMap<[string, number]>((line, out) => {
      for (const word of line.toLowerCase().split(/\W+/)) if (word) out.collect([word, 1]);
    })
    .keyBy(([word]) => word)
    .sum(1)
    .uid('counts')
    .sinkTo(new FileSink<[string, number]>(args[0]!));
};
