import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { jobProjectFiles } from '../../../runtime/cli/job-project-files.ts';
import { runCommand, type CommandResult } from '../../support/command.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const root = resolve(import.meta.dirname, '../../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const tempDir = tempDirs('sluice-package-');

/**
 * The environment of a user's shell: none of the npm_* variables and PATH entries (this repository's
 * node_modules/.bin) of the `npm run` this test runs under, no colours.
 */
const env: Record<string, string> = {
  ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => !e[0].toLowerCase().startsWith('npm_') && e[1] !== undefined)),
  PATH: (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .join(delimiter),
  NO_COLOR: '1',
};

async function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<CommandResult> {
  const result = await runCommand(command, args, { ...env, ...extraEnv }, undefined, 120_000, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} in ${cwd} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** Every file under `dir` (but node_modules and the lock file) with its content. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'package-lock.json') continue;
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

// The lines the scaffold's job prints: its windows of 10 s per user, fired in time order.
const JOB_OUTPUT = '["ada",2]\n["bob",1]\n["ada",1]\n';

describe(`the ${manifest.name} package installed from its tarball into a project outside the repository`, () => {
  let tarball: string;
  let packed: string[];
  let project: string;
  let dependency: string;

  beforeAll(async () => {
    const work = tempDir();
    // npm pack runs prepack: the build of dist/ (tsc), as for a publish.
    const pack = await run('npm', ['pack', '--json', '--pack-destination', work], root);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info!.filename);
    packed = info!.files.map((f) => f.path);
    dependency = `file:${tarball}`;
    project = join(work, 'clicks');
    await run(process.execPath, [join(root, 'runtime/cli/bin.js'), 'init', project, '--sluice', dependency], root);
    // The repository's dependencies are in npm's cache: offline first keeps this to the time of unpacking.
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project);
  }, 300_000);

  it('packs the compiled API, testing API and command with their types, and no TypeScript sources or tests', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'dist/runtime/api/index.js',
        'dist/runtime/api/index.d.ts',
        'dist/runtime/testing/index.js',
        'dist/runtime/testing/index.d.ts',
        'dist/runtime/cli/bin.js',
      ]),
    );
    expect(packed.filter((p) => (p.endsWith('.ts') && !p.endsWith('.d.ts')) || p.startsWith('test/') || p.startsWith('operator/'))).toEqual([]);
  });

  it("runs the new project's tests (vitest on sluice/testing) and type-checks it against the package's declarations", async () => {
    const test = await run('npm', ['test'], project);
    expect(test.stdout).toMatch(/Tests\s+3 passed \(3\)/);
    await run('npm', ['run', 'typecheck'], project);
  });

  it('runs the job with the installed sluice command and prints exactly its windows', async () => {
    const job = await run('npx', ['sluice', 'run', 'src/job.ts'], project);
    expect(job.stdout).toBe(JOB_OUTPUT);
  });

  it('runs the job as a local cluster of the installed package: a JobManager and 2 TaskManager processes loading src/job.ts', async () => {
    const job = await run('npx', ['sluice', 'run', 'src/job.ts', '--taskmanagers', '2', '--parallelism', '2'], project);
    // Each subtask prints its windows in time order; the two subtasks' lines interleave in any order.
    const lines = job.stdout.trim().split('\n');
    expect([...lines].sort()).toEqual(['1> ["ada",1]', '1> ["ada",2]', '2> ["bob",1]']);
    expect(lines.filter((l) => l.startsWith('1> '))).toEqual(['1> ["ada",2]', '1> ["ada",1]']);
  });

  it('writes with the installed command the same project as from the sources, with a StreamJob and a Dockerfile for its image', async () => {
    await run(join(project, 'node_modules/.bin/sluice'), ['init', 'second', '--sluice', dependency], project);
    const second = tree(join(project, 'second'));
    expect(second).toEqual(jobProjectFiles({ name: 'second', sluiceVersion: manifest.version, sluiceDependency: dependency }));
    expect(second.get('Dockerfile')).toContain(`FROM ghcr.io/sluice-dev/sluice-runtime:${manifest.version}\nCOPY src/ /opt/sluice/jobs/second/\n`);
    expect((parse(second.get('streamjob.yaml')!) as { spec: { job: { entry: string } } }).spec.job.entry).toBe('jobs/second/job.ts');
  });

  it('tells in one line that a job module in a package without "type": "module" is CommonJS, and how to fix it', async () => {
    const dir = join(project, 'legacy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{ "name": "legacy" }\n');
    writeFileSync(join(dir, 'job.ts'), readFileSync(join(project, 'src/job.ts')));
    const result = await runCommand(join(project, 'node_modules/.bin/sluice'), ['run', 'legacy/job.ts'], env, undefined, 60_000, project);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `sluice: job module "legacy/job.ts" is CommonJS (${join(dir, 'package.json')} has no "type"), but job modules must be ES modules: ` +
        `add "type": "module" to ${join(dir, 'package.json')} (or rename it to .mts)\n`,
    );
  });
});
