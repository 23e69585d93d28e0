// `npm run nexmark -- gen --events N [--seed S] [--rate R] [--output FILE]`: a dump, one JSON
// event a line, on stdout or into FILE (`npm run` adds its banner to stdout: use -s or --output).
// `npm run nexmark -- run qN --input FILE [--parallelism P]`: runs query N over a dump in this
// process and prints its result rows as JSON lines (the SQL's column names; final window results).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamExecutionEnvironment } from '../../runtime/api/index.ts';
import { loadJobModule } from '../../runtime/cluster/job-module.ts';
import { LocalExecutor } from '../../runtime/cluster/local-executor.ts';
import { NexmarkGenerator } from '../../runtime/connectors/nexmark/index.ts';
import { parseNexmarkArgs } from './input.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const QUERIES = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8', 'q9', 'q11', 'q12'];
const USAGE = `usage: npm run nexmark -- gen --events N [--seed S] [--rate EVENTS_PER_SECOND] [--output FILE]
       npm run nexmark -- run <${QUERIES.join('|')}> --input FILE [--parallelism P]`;

async function gen(argv: string[]): Promise<void> {
  const at = argv.indexOf('--output');
  const path = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && path === undefined) throw new Error(`--output needs a file\n${USAGE}`);
  const args = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 2)] : argv;
  const a = parseNexmarkArgs(args);
  const out = path === undefined ? process.stdout : createWriteStream(path);
  if (a.input !== undefined || a.events === undefined || !Number.isInteger(a.events)) throw new Error(`gen needs --events N\n${USAGE}`);
  const generator = new NexmarkGenerator({ seed: a.seed, eventsPerSecond: a.rate });
  let chunk = '';
  for (let n = 0; n < a.events; n++) {
    chunk += `${JSON.stringify(generator.event(n))}\n`;
    if (chunk.length >= 1 << 16 || n === a.events - 1) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  if (out !== process.stdout) await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

async function run(args: string[]): Promise<void> {
  const [query, ...rest] = args;
  if (query === undefined || !QUERIES.includes(query)) throw new Error(`unknown query "${query ?? ''}"\n${USAGE}`);
  let parallelism = 1;
  const jobArgs: string[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] === '--parallelism') parallelism = Number(rest[i + 1]);
    else jobArgs.push(rest[i]!, rest[i + 1]!);
  }
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new Error(`--parallelism must be a positive integer`);
  if (parseNexmarkArgs(jobArgs).input === undefined) throw new Error(`run needs --input FILE\n${USAGE}`);
  const build = await loadJobModule(join(here, `${query}.ts`));
  const env = new StreamExecutionEnvironment({ executor: new LocalExecutor() });
  env.setParallelism(parallelism);
  await build(env, jobArgs);
  await env.execute(`nexmark-${query}`);
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'gen') await gen(args);
  else if (command === 'run') await run(args);
  else throw new Error(USAGE);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 1;
}
