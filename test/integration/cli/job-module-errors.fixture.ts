import type { StreamExecutionEnvironment } from '../../../runtime/api/index.ts';

/** A job module that (wrongly) executes its own pipeline. */
export default async (env: StreamExecutionEnvironment) => {
  env.fromElements(1).print();
  await env.execute('self-executing');
};
