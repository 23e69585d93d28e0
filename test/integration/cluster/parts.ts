import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamExecutionEnvironment } from '../../../runtime/api/index.ts';
import { LocalExecutor } from '../../../runtime/cluster/local-executor.ts';
import { loadJobModule } from '../../../runtime/cluster/job-module.ts';

/** Every line of the published part files in `dir`, sorted (in-progress files are not published output). */
export function publishedLines(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''))
    .sort();
}

/** The job module run in this process, at the same parallelism: the expected output. */
export async function inProcessLines(entry: string, args: string[], parallelism: number, dir: string): Promise<string[]> {
  const env = new StreamExecutionEnvironment({ executor: new LocalExecutor() }).setParallelism(parallelism);
  await (await loadJobModule(entry))(env, args);
  await env.execute('expected');
  return publishedLines(dir);
}
