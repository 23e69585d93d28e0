import { describe, it, expect, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { jobProjectFiles } from '../../../runtime/cli/job-project-files.ts';

// Docker does not run on these machines; these checks keep the Dockerfiles consistent with the tree.
const root = resolve(import.meta.dirname, '../../..');

interface Instruction {
  keyword: string;
  args: string;
}

function instructions(dockerfile: string): Instruction[] {
  const text = readFileSync(resolve(root, 'docker', dockerfile), 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    });
}

/** Instructions of the last stage: what the image is. */
function finalStage(all: Instruction[]): Instruction[] {
  const lastFrom = all.map((i) => i.keyword).lastIndexOf('FROM');
  return all.slice(lastFrom);
}

function included(dockerfile: string): string[] {
  return readFileSync(resolve(root, 'docker', `${dockerfile}.dockerignore`), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1));
}

describe.each([
  ['runtime.Dockerfile', ['node', '/opt/sluice/runtime/cli/bin.js'], ['package.json', 'runtime/', 'examples/']],
  ['operator.Dockerfile', ['node', '--import', 'tsx', '/opt/sluice/operator/main.ts'], ['package.json', 'operator/', 'runtime/']],
])('%s', (dockerfile, entrypoint, copied) => {
  const all = instructions(dockerfile);
  const image = finalStage(all);

  it('builds in a node:24-slim stage (the LTS) with npm ci, a type check and a dev-dependency prune', () => {
    expect(all.filter((i) => i.keyword === 'FROM').map((i) => i.args)).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE}']);
    expect(all.find((i) => i.keyword === 'ARG')!.args).toBe('NODE_IMAGE=node:24-slim');
    const runs = all.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npx tsc --noEmit -p tsconfig.json');
    expect(runs).toContain('npm prune --omit=dev');
  });

  it('runs as uid/gid 10001 with tini in front of the entrypoint', () => {
    expect(image.filter((i) => i.keyword === 'USER').map((i) => i.args)).toEqual(['10001:10001']);
    const user = image.findIndex((i) => i.keyword === 'USER');
    expect(image.slice(user + 1).filter((i) => i.keyword === 'RUN' || i.keyword === 'COPY')).toEqual([]);
    expect(JSON.parse(image.find((i) => i.keyword === 'ENTRYPOINT')!.args)).toEqual(['tini', '--', ...entrypoint]);
  });

  it('copies only paths that exist and that its dockerignore lets into the context', () => {
    const fromContext = all
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect([...new Set(fromContext)].sort()).toEqual([...new Set([...copied, 'package-lock.json', 'tsconfig.json'])].sort());
    const allowed = included(dockerfile);
    for (const source of fromContext) {
      expect([source, existsSync(resolve(root, source))]).toEqual([source, true]);
      expect(allowed).toContain(source);
    }
    expect(image.filter((i) => i.keyword === 'COPY').map((i) => i.args)).toEqual([
      '--from=build /opt/sluice/node_modules/ node_modules/',
      ...copied.map((source) => `${source} ${source === 'package.json' ? './' : source}`),
    ]);
  });
});

describe('the runtime image contents', () => {
  const image = mkdtempSync(join(tmpdir(), 'sluice-runtime-image-'));
  const writable = mkdtempSync(join(tmpdir(), 'sluice-runtime-tmp-'));
  afterAll(() => {
    rmSync(image, { recursive: true, force: true });
    rmSync(writable, { recursive: true, force: true });
  });

  it('run WordCount as uid 10001 with nothing writable but TMPDIR', async () => {
    // Lay out /opt/sluice as the final stage's COPY instructions do, node_modules standing in for the pruned copy.
    for (const { args } of finalStage(instructions('runtime.Dockerfile')).filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))) {
      const [source, target] = args.split(/\s+/);
      cpSync(resolve(root, source!), join(image, target === './' ? source! : target!), { recursive: true });
    }
    symlinkSync(resolve(root, 'node_modules'), join(image, 'node_modules'));
    chmodSync(image, 0o755);
    chownSync(writable, 10001, 10001);
    const { stdout } = await promisify(execFile)(
      'setpriv',
      ['--reuid=10001', '--regid=10001', '--clear-groups', 'node', 'runtime/cli/bin.js', 'run', 'examples/wordcount.ts', '--', 'to be or not to be'],
      { cwd: image, env: { PATH: process.env['PATH'], TMPDIR: writable }, timeout: 30_000 },
    );
    expect(stdout.split('\n').filter((line) => line.startsWith('['))).toEqual([
      '["to",1]', '["be",1]', '["or",1]', '["not",1]', '["to",2]', '["be",2]',
    ]);
  });

  it("run a job image's job (sluice init's, copied to jobs/<name>/) whose imports of 'sluice' resolve to the runtime's sources", async () => {
    const env = finalStage(instructions('runtime.Dockerfile')).filter((i) => i.keyword === 'ENV').map((i) => i.args);
    expect(env).toEqual(['NODE_ENV=production', 'NODE_OPTIONS=--conditions=sluice-source']);
    const project = jobProjectFiles({ name: 'clicks', sluiceVersion: '0.1.0' });
    expect(project.get('Dockerfile')).toContain('COPY src/ /opt/sluice/jobs/clicks/\n');
    mkdirSync(join(image, 'jobs/clicks'), { recursive: true });
    writeFileSync(join(image, 'jobs/clicks/job.ts'), project.get('src/job.ts')!);
    const { stdout } = await promisify(execFile)('node', ['runtime/cli/bin.js', 'run', 'jobs/clicks/job.ts'], {
      cwd: image,
      env: { PATH: process.env['PATH'], TMPDIR: writable, NODE_OPTIONS: '--conditions=sluice-source' },
      timeout: 30_000,
    });
    expect(stdout).toBe('["ada",2]\n["bob",1]\n["ada",1]\n');
  });
});
