// The layer rule of docs/architecture.md, checked on the source: every import between two folders
// of runtime/ or operator/ (type imports included) points to a lower layer, and no folders import
// each other in a cycle. There is no exception list: a new folder is given a layer in the document,
// and an import against the order is fixed by moving code, not by listing it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The layers as docs/architecture.md writes them, lowest first: the ```layers block, one layer per
 * line. A folder may import only folders of lower layers (never one of its own layer).
 */
function documentedLayers(): string[][] {
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const block = /```layers\n([\s\S]*?)```/.exec(doc);
  if (block === null) throw new Error('docs/architecture.md has no ```layers block');
  return block[1]!.split('\n').map((line) => line.trim().split(/\s+/).filter((f) => f !== '')).filter((layer) => layer.length > 0);
}

const LAYERS = documentedLayers();

/** The operator sees the runtime only through the JobManager's REST types. */
const RUNTIME_SEEN_BY_OPERATOR = 'runtime/rest';

const layerOf = new Map(LAYERS.flatMap((folders, layer) => folders.map((f) => [f, layer] as const)));
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `runtime/api`, `operator/controller`; a file directly in `operator/` belongs to `operator`. */
function folderOf(path: string): string {
  const parts = relative(root, path).split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

interface FolderImport {
  readonly from: string;
  readonly to: string;
  readonly file: string;
  readonly spec: string;
}

function folderImports(tops: readonly string[] = ['runtime', 'operator'], into = /^(runtime|operator)(\/|$)/): FolderImport[] {
  const found: FolderImport[] = [];
  for (const file of tops.flatMap((top) => sourceFiles(join(root, top)))) {
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to && into.test(to)) found.push({ from, to, file: relative(root, file), spec });
    }
  }
  return found;
}

function cycles(edges: readonly FolderImport[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) next.set(from, (next.get(from) ?? new Set()).add(to));
  // Tarjan's strongly connected components; one of more than one folder is a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('docs/architecture.md: the layers of runtime/ and operator/', () => {
  const imports = folderImports();

  it('names every folder once', () => {
    const named = LAYERS.flat();
    expect(named.filter((f, i) => named.indexOf(f) !== i)).toEqual([]);
  });

  it('every folder has a layer', () => {
    const folders = new Set(['runtime', 'operator'].flatMap((top) => sourceFiles(join(root, top)).map(folderOf)));
    expect([...folders].filter((f) => !layerOf.has(f)).sort()).toEqual([]);
  });

  it('every import between folders points to a lower layer', () => {
    const against = imports
      .filter(({ from, to }) => !(layerOf.get(to)! < layerOf.get(from)!))
      .map(({ file, spec, from, to }) => `${file} imports ${spec} (${from}, layer ${layerOf.get(from)}, may not import ${to}, layer ${layerOf.get(to)})`);
    expect(against).toEqual([]);
  });

  it('the operator imports only the REST types of the runtime', () => {
    const against = imports.filter(({ from, to }) => from.startsWith('operator') && to.startsWith('runtime') && to !== RUNTIME_SEEN_BY_OPERATOR).map(({ file, spec }) => `${file} imports ${spec}`);
    expect(against).toEqual([]);
  });

  it('no folders import each other in a cycle', () => {
    expect(cycles(imports)).toEqual([]);
  });

  it('finds a cycle and an import against the order when there is one', () => {
    const made: FolderImport[] = [
      { from: 'runtime/api', to: 'runtime/cluster', file: 'a.ts', spec: '../cluster/x.ts' },
      { from: 'runtime/cluster', to: 'runtime/api', file: 'b.ts', spec: '../api/y.ts' },
    ];
    expect(cycles(made)).toEqual([['runtime/api', 'runtime/cluster']]);
    expect(made.filter(({ from, to }) => !(layerOf.get(to)! < layerOf.get(from)!))).toHaveLength(1);
  });
});

describe('docs/architecture.md: the sandbox', () => {
  const imports = folderImports(['sandbox'], /^(runtime|operator|sandbox)(\/|$)/);

  it('imports neither the runtime nor the operator: it is the world they run in, not part of them', () => {
    expect(imports.filter(({ to }) => !to.startsWith('sandbox')).map(({ file, spec }) => `${file} imports ${spec}`)).toEqual([]);
  });

  it('has no folders that import each other in a cycle', () => {
    expect(cycles(imports)).toEqual([]);
  });
});
