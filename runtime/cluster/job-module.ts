import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StreamExecutionEnvironment } from '../api/stream-execution-environment.ts';

/** What a job module exports by default: a function that builds the pipeline on `env`. */
export type JobBuilder = (env: StreamExecutionEnvironment, args: string[]) => void | Promise<void>;

const HOW_TO_EXPORT = 'export default (env: StreamExecutionEnvironment, args: string[]) => { ... }';

/**
 * Loads a job module. Every process of a job (JobManager, TaskManagers, `sluice run`) loads the
 * same module and builds the same graph, since closures cannot travel between processes.
 * TypeScript modules load directly when tsx is registered (the `sluice` command does that).
 *
 * A module that cannot be a job fails with one line that says what is wrong and how to fix it: a
 * CommonJS module (Sluice is ES modules only, and Node's message for `require()` of one is about
 * cycles), a module without a default export, a default export that is not a function.
 */
export async function loadJobModule(path: string): Promise<JobBuilder> {
  const file = resolve(path);
  const commonJs = commonJsReason(file);
  if (commonJs) {
    throw new Error(`job module "${path}" is CommonJS (${commonJs}), but job modules must be ES modules: ${commonJsFix(file)}`);
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot load job module "${path}": ${(e as Error).message}`, { cause: e });
  }
  const build = module.default;
  if (build === undefined) {
    const named = Object.keys(module).filter((k) => k !== 'default');
    throw new Error(
      `job module "${path}" has no default export (${named.length > 0 ? `it exports only ${named.join(', ')}` : 'it exports nothing'}): ` +
        `export the function that builds the pipeline as its default, \`${HOW_TO_EXPORT}\``,
    );
  }
  if (typeof build !== 'function') {
    throw new Error(
      `job module "${path}" exports a default ${build === null ? 'null' : typeof build}, but it must be the function that builds the pipeline: \`${HOW_TO_EXPORT}\``,
    );
  }
  return build as JobBuilder;
}

/**
 * Why Node loads `file` as CommonJS, or undefined for an ES module: by extension, else by the
 * `type` of the nearest package.json (Node's and tsx's rule for `.js` and `.ts`).
 */
function commonJsReason(file: string): string | undefined {
  const ext = extname(file);
  if (ext === '.cjs' || ext === '.cts') return `its extension is ${ext}`;
  if (ext !== '.js' && ext !== '.ts' && ext !== '.tsx' && ext !== '.jsx') return undefined;
  const manifest = nearestPackageJson(dirname(file));
  if (manifest === undefined) return 'no package.json above it says "type": "module"';
  const type = (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type;
  return type === 'module' ? undefined : `${manifest} has ${type === undefined ? 'no "type"' : `"type": ${JSON.stringify(type)}`}`;
}

function commonJsFix(file: string): string {
  const manifest = nearestPackageJson(dirname(file));
  const ext = extname(file);
  const esmExt = ext === '.cjs' || ext === '.js' ? '.mjs' : '.mts';
  if (ext === '.cjs' || ext === '.cts') return `rename it to ${esmExt}`;
  return `add "type": "module" to ${manifest ?? 'a package.json in its folder'} (or rename it to ${esmExt})`;
}

function nearestPackageJson(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(d) === d) return undefined;
  }
}
