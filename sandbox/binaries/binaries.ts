import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A program the sandbox runs, built from pinned sources into the git-ignored `.cache/bin/`.
 *
 * A recipe is pure data: what to build and from which pinned inputs. {@link ensureBinaries} builds
 * it when its binary is missing or its inputs changed, and otherwise does nothing.
 */
export interface BinaryRecipe {
  /** File name under `.cache/bin/`. */
  name: string;
  /** What the binary is, for progress lines: `Kubernetes v1.35.4`. */
  release: string;
  /** Files (project-relative) whose content pins the build; a change rebuilds. */
  inputs: string[];
  /** How to build it into `output` (an absolute temporary path, renamed into place on success). */
  build: GoBuild;
}

/** `go build` of one main package from a Go module of ours (which pins the versions). */
export interface GoBuild {
  kind: 'go';
  /** Project-relative directory of the Go module. */
  module: string;
  /** The main package's import path. */
  package: string;
  /** `-X importpath.name=value` linker settings, e.g. the version a server reports. */
  linkerValues?: Record<string, string>;
  /** Build tags, e.g. `kqueue`. */
  tags?: string[];
}

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN_DIR = join(PROJECT_ROOT, '.cache/bin');

const KUBERNETES_VERSION = 'v1.35.4';
const controlPlaneInputs = ['sandbox/controlplane/go.mod', 'sandbox/controlplane/go.sum'];
const kubernetesVersion: Record<string, string> = {
  'k8s.io/component-base/version.gitVersion': KUBERNETES_VERSION,
  'k8s.io/component-base/version.gitMajor': '1',
  'k8s.io/component-base/version.gitMinor': '35',
  'k8s.io/component-base/version.gitTreeState': 'clean',
  'k8s.io/component-base/version.buildDate': '2026-01-01T00:00:00Z',
  'k8s.io/client-go/pkg/version.gitVersion': KUBERNETES_VERSION,
  'k8s.io/client-go/pkg/version.gitMajor': '1',
  'k8s.io/client-go/pkg/version.gitMinor': '35',
};
const kubernetes = (name: string): BinaryRecipe => ({
  name,
  release: `Kubernetes ${KUBERNETES_VERSION}`,
  inputs: controlPlaneInputs,
  build: { kind: 'go', module: 'sandbox/controlplane', package: `k8s.io/kubernetes/cmd/${name}`, linkerValues: kubernetesVersion },
});

/** Every binary the sandbox can run, by name. */
export const RECIPES: Record<string, BinaryRecipe> = {
  'kube-apiserver': kubernetes('kube-apiserver'),
  'kube-controller-manager': kubernetes('kube-controller-manager'),
  'kube-scheduler': kubernetes('kube-scheduler'),
  etcd: {
    name: 'etcd',
    release: 'etcd v3.6.5 (the release k8s.io/kubernetes v1.35.4 requires)',
    inputs: [...controlPlaneInputs, 'sandbox/controlplane/etcd/main.go'],
    build: { kind: 'go', module: 'sandbox/controlplane', package: 'sluice.dev/sandbox/controlplane/etcd' },
  },
};

export const CONTROL_PLANE = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

/** A build that cannot run or failed: one line saying what is missing and what to run. */
export class BinaryBuildError extends Error {
  override readonly name = 'BinaryBuildError';
}

export interface EnsureOptions {
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/**
 * Returns the absolute paths of the named binaries, building those that are missing or stale.
 * Idempotent, and safe to call from concurrent processes: a build writes a temporary file and
 * renames it into place, so a reader never sees a half-written binary.
 */
export async function ensureBinaries(names: readonly string[], options: EnsureOptions = {}): Promise<Record<string, string>> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const paths: Record<string, string> = {};
  const stale: BinaryRecipe[] = [];
  for (const name of names) {
    const recipe = RECIPES[name];
    if (!recipe) throw new BinaryBuildError(`no recipe for a binary named "${name}" (known: ${Object.keys(RECIPES).join(', ')})`);
    paths[name] = join(BIN_DIR, recipe.name);
    if (!isCurrent(recipe)) stale.push(recipe);
  }
  if (stale.length === 0) return paths;
  mkdirSync(BIN_DIR, { recursive: true });
  const started = Date.now();
  for (const recipe of stale) await build(recipe, log);
  log(`built ${stale.map((r) => r.name).join(', ')} in ${formatSeconds(Date.now() - started)} (cached in ${BIN_DIR})`);
  return paths;
}

function stampOf(recipe: BinaryRecipe): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(recipe.build));
  for (const input of recipe.inputs) hash.update(readFileSync(join(PROJECT_ROOT, input)));
  return hash.digest('hex');
}

const stampPath = (recipe: BinaryRecipe) => join(BIN_DIR, `.${recipe.name}.stamp`);

function isCurrent(recipe: BinaryRecipe): boolean {
  if (!existsSync(join(BIN_DIR, recipe.name))) return false;
  try {
    return readFileSync(stampPath(recipe), 'utf8') === stampOf(recipe);
  } catch {
    return false;
  }
}

async function build(recipe: BinaryRecipe, log: (line: string) => void): Promise<void> {
  const target = join(BIN_DIR, recipe.name);
  const temp = `${target}.${process.pid}.tmp`;
  const started = Date.now();
  log(`building ${recipe.name} from ${recipe.release} (first build: several minutes; later runs reuse .cache/bin and Go's build cache)`);
  try {
    await goBuild(recipe.build, temp, (done) => log(`  ${recipe.name}: ${done} packages compiled, ${formatSeconds(Date.now() - started)}`));
    renameSync(temp, target);
    writeFileSync(stampPath(recipe), stampOf(recipe));
  } finally {
    rmSync(temp, { force: true });
  }
  log(`  ${recipe.name}: done in ${formatSeconds(Date.now() - started)}`);
}

function requireGo(): string {
  const probe = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new BinaryBuildError('Go is not installed or not on PATH: the sandbox builds Kubernetes, etcd and MinIO from source with Go 1.25 or newer (https://go.dev/doc/install), then run `npm run sandbox -- build`');
  }
  return probe.stdout.trim();
}

/** Runs `go build -v`, counting the packages it compiles (one `-v` line each) for progress lines. */
function goBuild(spec: GoBuild, output: string, progress: (packages: number) => void): Promise<void> {
  requireGo();
  const ldflags = ['-s', '-w', ...Object.entries(spec.linkerValues ?? {}).map(([k, v]) => `-X=${k}=${v}`)].join(' ');
  const args = ['build', '-v', '-o', output, `-ldflags=${ldflags}`, ...(spec.tags?.length ? [`-tags=${spec.tags.join(',')}`] : []), spec.package];
  const child = spawn('go', args, { cwd: join(PROJECT_ROOT, spec.module), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=readonly`.trim() } });
  let packages = 0;
  let tail: string[] = [];
  let pending = '';
  const timer = setInterval(() => progress(packages), 15_000);
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (/^[\w.\-/]+$/.test(line)) packages++;
      else tail = [...tail, line].slice(-20);
    }
  });
  return new Promise((ok, fail) => {
    child.on('error', (err) => fail(new BinaryBuildError(`cannot run go build in ${spec.module}: ${err.message}`)));
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) ok();
      else
        fail(
          new BinaryBuildError(
            `go build ${spec.package} (in ${spec.module}) failed with exit code ${code}; run \`npm run sandbox -- build\` to retry. Last lines:\n${tail.join('\n')}`,
          ),
        );
    });
  });
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}
