import { describe, it, expect } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

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

  it('builds in a node:20-slim stage with npm ci, a type check and a dev-dependency prune', () => {
    expect(all.filter((i) => i.keyword === 'FROM').map((i) => i.args)).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE}']);
    expect(all.find((i) => i.keyword === 'ARG')!.args).toBe('NODE_IMAGE=node:20-slim');
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
