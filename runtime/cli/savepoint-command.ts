import { Command } from 'commander';
import { duration } from './option-values.ts';
import type { ErrorResponse, JobsOverview, SavepointStatus, TriggerResponse } from '../rest/rest-types.ts';
import { readFileSync } from 'node:fs';
import { envName } from '../config/index.ts';
import { parseRunKey, restToken } from '../rest/run-key.ts';

/**
 * `sluice savepoint <jobmanager-url> [--stop]`: triggers a savepoint (or stop-with-savepoint) over
 * the JobManager's REST API, waits for it and prints its location.
 */
export function savepointCommand(): Command {
  return new Command('savepoint')
    .description('take a savepoint of the job a JobManager runs, and print its location')
    .argument('<jobmanager-url>', 'the JobManager REST address, e.g. http://localhost:8081')
    .option('-j, --job-id <id>', 'job id (default: the one job the JobManager runs)')
    .option('-s, --stop', 'stop the job once the savepoint completed')
    .option('-d, --target-directory <uri>', 'write the savepoint below this storage URI instead of the job savepoints directory')
    .option('-t, --timeout <duration>', 'how long to wait for the savepoint', duration, 600_000)
    .option('-k, --run-key-file <file>', `file holding the job's run key (the run's Secret); default: ${RUN_KEY_FILE_ENV}`)
    .action(async (url: string, opts: { jobId?: string; stop?: boolean; targetDirectory?: string; timeout: number; runKeyFile?: string }) => {
      const base = url.replace(/\/+$/, '');
      const request = requester(restHeaders(opts.runKeyFile ?? process.env[RUN_KEY_FILE_ENV]));
      const jobId = opts.jobId ?? (await request<JobsOverview>(base, 'GET', '/jobs')).jobs[0]?.id;
      if (jobId === undefined) throw new Error(`the JobManager at ${base} runs no job`);
      const job = `/jobs/${encodeURIComponent(jobId)}`;
      const body = opts.targetDirectory === undefined ? {} : { targetDirectory: opts.targetDirectory };
      const { triggerId } = await request<TriggerResponse>(base, 'POST', `${job}/${opts.stop ? 'stop' : 'savepoints'}`, body);
      const deadline = Date.now() + opts.timeout;
      for (;;) {
        const status = await request<SavepointStatus>(base, 'GET', `${job}/savepoints/${triggerId}`);
        if (status.status.id === 'COMPLETED') {
          const operation = status.operation;
          if (operation && 'location' in operation) {
            process.stdout.write(`${operation.location}\n`);
            return;
          }
          throw new Error(`savepoint of job ${jobId} failed: ${operation && 'failureCause' in operation ? operation.failureCause : 'no reason given'}`);
        }
        if (Date.now() > deadline) throw new Error(`savepoint ${triggerId} of job ${jobId} not completed within ${opts.timeout} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    });
}

const RUN_KEY_FILE_ENV = envName(['security', 'runKeyFile']);

/** The Authorization header for the run key in `file`; none without a file (a JobManager with security.auth disabled). */
function restHeaders(file: string | undefined): Record<string, string> {
  if (file === undefined) return {};
  let key: Buffer;
  try {
    key = parseRunKey(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`run key file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { authorization: `Bearer ${restToken(key)}` };
}

const requester = (auth: Record<string, string>) => async <T>(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { method, headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (error) {
    throw new Error(`cannot reach the JobManager at ${base}: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`);
  }
  const json = (await response.json().catch(() => ({}))) as T & Partial<ErrorResponse>;
  if (response.status === 401) throw new Error(`${method} ${path} answered 401: the JobManager wants the job's run key (--run-key-file or ${RUN_KEY_FILE_ENV})`);
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${json.errors?.join('; ') ?? response.statusText}`);
  return json;
};
