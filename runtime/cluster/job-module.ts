import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StreamExecutionEnvironment } from '../api/stream-execution-environment.ts';

/** What a job module exports by default: a function that builds the pipeline on `env`. */
export type JobBuilder = (env: StreamExecutionEnvironment, args: string[]) => void | Promise<void>;

/**
 * Loads a job module. Every process of a job (JobManager, TaskManagers, `sluice run`) loads the
 * same module and builds the same graph, since closures cannot travel between processes.
 * TypeScript modules load directly when tsx is registered (the `sluice` command does that).
 */
export async function loadJobModule(path: string): Promise<JobBuilder> {
  const url = pathToFileURL(resolve(path)).href;
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (e) {
    throw new Error(`cannot load job module "${path}": ${(e as Error).message}`, { cause: e });
  }
  if (typeof module.default !== 'function') {
    throw new Error(
      `job module "${path}" must have a default export (env, args) => void that builds the pipeline; ` +
        `it exports ${module.default === undefined ? 'no default' : `a default ${typeof module.default}`}`,
    );
  }
  return module.default as JobBuilder;
}
