import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A program the sandbox runs, built from pinned sources into the git-ignored `.cache/bin/` (or, for
 * one that is a directory of jars, `.cache/<output>`).
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
  build: GoBuild | MavenBuild | DebianPackages;
  /** Project-relative path of what is built, when not `.cache/bin/<name>`. */
  output?: string;
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

/** `mvn dependency:copy-dependencies` of a pom of ours (which pins the versions): a directory of jars. */
export interface MavenBuild {
  kind: 'maven';
  /** Project-relative path of the pom.xml. */
  pom: string;
  /** `-Dname=value` properties the pom uses, e.g. the release. */
  properties?: Record<string, string>;
}

/**
 * Debian packages fetched with `apt-get download` (the machine's apt sources) and unpacked with
 * `dpkg-deb -x` into a directory, never installed: run the program with its libraries on
 * LD_LIBRARY_PATH ({@link debianProgram}).
 */
export interface DebianPackages {
  kind: 'deb';
  packages: string[];
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

// MinIO's last published source (the repository is archived); AGPL-3.0, so it is only ever run as a
// separate server program (sandbox/s3), never linked into our code. The linker values are the ones
// MinIO's own Makefile sets (buildscripts/gen-ldflags.go), from the pseudo-version's commit and time.
const MINIO_COMMIT = '7aac2a2c5b7c';
const MINIO_COMMIT_TIME = '2026-02-12T20:18:48Z';
const minioVersion: Record<string, string> = {
  'github.com/minio/minio/cmd.Version': MINIO_COMMIT_TIME,
  'github.com/minio/minio/cmd.ReleaseTag': `DEVELOPMENT.${MINIO_COMMIT_TIME.replaceAll(':', '-')}`,
  'github.com/minio/minio/cmd.CommitID': MINIO_COMMIT,
  'github.com/minio/minio/cmd.ShortCommitID': MINIO_COMMIT,
  'github.com/minio/minio/cmd.CopyrightYear': '2026',
};

/** The Apache Kafka release of the sandbox's broker (sandbox/kafka), jars from Maven Central. */
export const KAFKA_VERSION = '4.4.0';

/** Every binary the sandbox can run, by name. */
export const RECIPES: Record<string, BinaryRecipe> = {
  kafka: {
    name: 'kafka',
    release: `Apache Kafka ${KAFKA_VERSION} (jars from Maven Central)`,
    inputs: ['sandbox/kafka/pom.xml'],
    output: `.cache/kafka-${KAFKA_VERSION}/libs`,
    build: { kind: 'maven', pom: 'sandbox/kafka/pom.xml', properties: { 'kafka.version': KAFKA_VERSION } },
  },
  'kube-apiserver': kubernetes('kube-apiserver'),
  'kube-controller-manager': kubernetes('kube-controller-manager'),
  'kube-scheduler': kubernetes('kube-scheduler'),
  etcd: {
    name: 'etcd',
    release: 'etcd v3.6.5 (the release k8s.io/kubernetes v1.35.4 requires)',
    inputs: [...controlPlaneInputs, 'sandbox/controlplane/etcd/main.go'],
    build: { kind: 'go', module: 'sandbox/controlplane', package: 'sluice.dev/sandbox/controlplane/etcd' },
  },
  celcompile: {
    name: 'celcompile',
    release: 'our CEL check against older API servers (k8s.io/apiserver v0.35.4)',
    inputs: [...controlPlaneInputs, 'sandbox/controlplane/celcompile/main.go'],
    build: { kind: 'go', module: 'sandbox/controlplane', package: 'sluice.dev/sandbox/controlplane/celcompile' },
  },
  // What GitOps tools run on a StreamJob: Argo CD's Lua VM for its health check (Debian's Lua 5.4, and
  // gopher-lua as Argo CD embeds it), for the chart's argocd/health.lua; kstatus, as Flux reads status.
  'lua5.4': {
    name: 'lua5.4',
    release: "Debian's lua5.4 (apt-get download, unpacked, not installed)",
    inputs: [],
    output: '.cache/lua5.4',
    build: { kind: 'deb', packages: ['lua5.4', 'liblua5.4-0'] },
  },
  'argocd-health': {
    name: 'argocd-health',
    release: 'gopher-lua v1.1.2 configured as Argo CD runs health checks (sandbox/gitops)',
    inputs: ['sandbox/gitops/go.mod', 'sandbox/gitops/go.sum', 'sandbox/gitops/argocd-health/main.go'],
    build: { kind: 'go', module: 'sandbox/gitops', package: 'sluice.dev/sandbox/gitops/argocd-health' },
  },
  kstatus: {
    name: 'kstatus',
    release: "sigs.k8s.io/cli-utils v0.37.2's kstatus, as Flux's health checks compute status (sandbox/gitops)",
    inputs: ['sandbox/gitops/go.mod', 'sandbox/gitops/go.sum', 'sandbox/gitops/kstatus/main.go'],
    build: { kind: 'go', module: 'sandbox/gitops', package: 'sluice.dev/sandbox/gitops/kstatus' },
  },
  minio: {
    name: 'minio',
    release: `MinIO ${MINIO_COMMIT_TIME} (github.com/minio/minio v0.0.0-20260212201848-${MINIO_COMMIT})`,
    inputs: ['sandbox/s3/minio/go.mod', 'sandbox/s3/minio/go.sum'],
    build: { kind: 'go', module: 'sandbox/s3/minio', package: 'github.com/minio/minio', linkerValues: minioVersion, tags: ['kqueue'] },
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
    paths[name] = outputPath(recipe);
    if (!isCurrent(recipe)) stale.push(recipe);
  }
  if (stale.length === 0) return paths;
  const started = Date.now();
  for (const recipe of stale) await build(recipe, log);
  log(`built ${stale.map((r) => r.name).join(', ')} in ${formatSeconds(Date.now() - started)} (cached in ${stale.map((r) => dirname(outputPath(r))).filter((d, i, all) => all.indexOf(d) === i).join(', ')})`);
  return paths;
}

function stampOf(recipe: BinaryRecipe): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(recipe.build));
  for (const input of recipe.inputs) hash.update(readFileSync(join(PROJECT_ROOT, input)));
  return hash.digest('hex');
}

const outputPath = (recipe: BinaryRecipe) => (recipe.output === undefined ? join(BIN_DIR, recipe.name) : join(PROJECT_ROOT, recipe.output));
const stampPath = (recipe: BinaryRecipe) => join(dirname(outputPath(recipe)), `.${basename(outputPath(recipe))}.stamp`);

function isCurrent(recipe: BinaryRecipe): boolean {
  if (!existsSync(outputPath(recipe))) return false;
  try {
    return readFileSync(stampPath(recipe), 'utf8') === stampOf(recipe);
  } catch {
    return false;
  }
}

async function build(recipe: BinaryRecipe, log: (line: string) => void): Promise<void> {
  const target = outputPath(recipe);
  const temp = `${target}.${process.pid}.tmp`;
  const started = Date.now();
  mkdirSync(dirname(target), { recursive: true });
  const spec = recipe.build;
  if (spec.kind === 'maven') requireMaven();
  if (spec.kind === 'maven') log(`fetching ${recipe.name}: ${recipe.release} (first fetch: under a minute; later runs reuse ~/.m2)`);
  else if (spec.kind === 'deb') log(`fetching ${recipe.name}: ${recipe.release}`);
  else log(`building ${recipe.name} from ${recipe.release} (first build: several minutes; later runs reuse .cache/bin and Go's build cache)`);
  try {
    if (spec.kind === 'maven' || spec.kind === 'deb') {
      if (spec.kind === 'maven') await mavenCopyDependencies(spec, temp);
      else debianUnpack(spec, temp);
      // a directory is not replaced by a rename: unless a concurrent fetch finished first, clear the stale one
      if (isCurrent(recipe)) return;
      rmSync(target, { recursive: true, force: true });
    } else await goBuild(spec, temp, (done) => log(`  ${recipe.name}: ${done} packages compiled, ${formatSeconds(Date.now() - started)}`));
    renameSync(temp, target);
    writeFileSync(stampPath(recipe), stampOf(recipe));
  } finally {
    rmSync(temp, { recursive: true, force: true });
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

function requireMaven(): void {
  const probe = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new BinaryBuildError('Maven is not installed or not on PATH: the sandbox fetches the Kafka broker\'s jars from Maven Central with `mvn` (Debian: apt-get install maven), then run `npm run kafka -- fetch`');
  }
}

/** Copies the pom's runtime dependencies (the jars, from Maven Central through ~/.m2) into `output`. */
function mavenCopyDependencies(spec: MavenBuild, output: string): Promise<void> {
  const properties = Object.entries(spec.properties ?? {}).map(([k, v]) => `-D${k}=${v}`);
  const args = ['-B', '-q', '-f', join(PROJECT_ROOT, spec.pom), ...properties, 'dependency:copy-dependencies', `-DoutputDirectory=${output}`, '-DincludeScope=runtime'];
  const child = spawn('mvn', args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail: string[] = [];
  const keep = (chunk: Buffer) => (tail = [...tail, ...chunk.toString('utf8').split('\n').filter((l) => l.trim() !== '')].slice(-20));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return new Promise((ok, fail) => {
    child.on('error', (err) => fail(new BinaryBuildError(`cannot run mvn for ${spec.pom}: ${err.message}`)));
    child.on('close', (code) =>
      code === 0 ? ok() : fail(new BinaryBuildError(`mvn dependency:copy-dependencies of ${spec.pom} failed with exit code ${code}; run \`npm run kafka -- fetch\` to retry. Last lines:\n${tail.join('\n')}`)),
    );
  });
}

/** `apt-get download` of the packages into a scratch directory (after `apt-get update` when apt knows none of them yet), then `dpkg-deb -x` of each into `output`. */
function debianUnpack(spec: DebianPackages, output: string): void {
  const downloads = `${output}.debs`;
  mkdirSync(downloads, { recursive: true });
  try {
    const download = () => spawnSync('apt-get', ['download', ...spec.packages], { cwd: downloads, encoding: 'utf8' });
    let fetched = download();
    if (fetched.error) throw new BinaryBuildError(`cannot run apt-get to fetch ${spec.packages.join(', ')}: ${fetched.error.message} (a Debian or Ubuntu machine is needed)`);
    if (fetched.status !== 0) {
      // A fresh machine's apt has no package lists yet.
      const update = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8' });
      if (update.status !== 0) throw new BinaryBuildError(`apt-get download ${spec.packages.join(' ')} failed (${fetched.stderr.trim()}) and apt-get update failed: ${update.stderr.trim()}`);
      fetched = download();
    }
    if (fetched.status !== 0) throw new BinaryBuildError(`apt-get download ${spec.packages.join(' ')} failed: ${fetched.stderr.trim()}`);
    mkdirSync(output, { recursive: true });
    for (const deb of readdirSync(downloads).filter((f) => f.endsWith('.deb'))) {
      const unpacked = spawnSync('dpkg-deb', ['-x', join(downloads, deb), output], { encoding: 'utf8' });
      if (unpacked.status !== 0) throw new BinaryBuildError(`dpkg-deb -x ${deb} failed: ${unpacked.stderr?.trim() ?? unpacked.error?.message}`);
    }
  } finally {
    rmSync(downloads, { recursive: true, force: true });
  }
}

/**
 * How to run a program unpacked from Debian packages (a `deb` recipe's output directory): its path
 * under `usr/bin`, and an environment whose LD_LIBRARY_PATH holds the packages' own libraries.
 */
export function debianProgram(unpacked: string, program: string): { path: string; env: NodeJS.ProcessEnv } {
  const libraries = readdirSync(join(unpacked, 'usr/lib'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.endsWith('-linux-gnu'))
    .map((d) => join(unpacked, 'usr/lib', d.name));
  return { path: join(unpacked, 'usr/bin', program), env: { ...process.env, LD_LIBRARY_PATH: [...libraries, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':') } };
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}
