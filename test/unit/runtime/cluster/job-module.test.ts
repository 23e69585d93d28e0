import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadJobModule } from '../../../../runtime/cluster/job-module.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-job-module-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `files` into a fresh project folder under `root` and returns the folder. */
function project(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const HOW = '`export default (env: StreamExecutionEnvironment, args: string[]) => { ... }`';

describe('loadJobModule', () => {
  it('returns the default export of an ES module', async () => {
    const dir = project('esm', { 'package.json': '{"type":"module"}', 'job.mjs': 'export default (env) => env;\n' });
    const build = await loadJobModule(join(dir, 'job.mjs'));
    expect(build('the env' as never, [])).toBe('the env');
  });

  it('refuses a .ts module in a package that is not "type": "module", before Node fails on require() of ES modules', async () => {
    const dir = project('cjs', { 'package.json': '{"name":"jobs"}', 'job.ts': 'export default () => {};\n' });
    const file = join(dir, 'job.ts');
    await expect(loadJobModule(file)).rejects.toThrow(
      `job module "${file}" is CommonJS (${join(dir, 'package.json')} has no "type"), but job modules must be ES modules: ` +
        `add "type": "module" to ${join(dir, 'package.json')} (or rename it to .mts)`,
    );
  });

  it('names a "type": "commonjs" and a .cts module as CommonJS', async () => {
    const dir = project('commonjs', { 'package.json': '{"type":"commonjs"}', 'job.js': 'module.exports = () => {};\n', 'job.cts': 'export default () => {};\n' });
    await expect(loadJobModule(join(dir, 'job.js'))).rejects.toThrow(
      `is CommonJS (${join(dir, 'package.json')} has "type": "commonjs"), but job modules must be ES modules: add "type": "module" to ${join(dir, 'package.json')} (or rename it to .mjs)`,
    );
    await expect(loadJobModule(join(dir, 'job.cts'))).rejects.toThrow('is CommonJS (its extension is .cts), but job modules must be ES modules: rename it to .mts');
  });

  it('says what a module without a default export exports and how to export the job', async () => {
    const dir = project('no-default', { 'named.mjs': 'export const job = () => {};\nexport const name = "x";\n', 'empty.mjs': 'export {};\n' });
    const named = join(dir, 'named.mjs');
    await expect(loadJobModule(named)).rejects.toThrow(
      `job module "${named}" has no default export (it exports only job, name): export the function that builds the pipeline as its default, ${HOW}`,
    );
    await expect(loadJobModule(join(dir, 'empty.mjs'))).rejects.toThrow('has no default export (it exports nothing)');
  });

  it('refuses a default export that is not a function', async () => {
    const dir = project('not-a-function', { 'object.mjs': 'export default { run() {} };\n', 'null.mjs': 'export default null;\n' });
    const object = join(dir, 'object.mjs');
    await expect(loadJobModule(object)).rejects.toThrow(
      `job module "${object}" exports a default object, but it must be the function that builds the pipeline: ${HOW}`,
    );
    await expect(loadJobModule(join(dir, 'null.mjs'))).rejects.toThrow('exports a default null, but it must be');
  });

  it('keeps the loader message of a module that does not load, on one line with its path', async () => {
    const missing = join(root, 'missing.mjs');
    await expect(loadJobModule(missing)).rejects.toThrow(`cannot load job module "${missing}": `);
  });
});
