import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSandbox } from '../../../sandbox/sandbox.ts';
import type { Sandbox } from '../../../sandbox/sandbox.ts';
import { ensureKubeTools } from '../../../sandbox/tools/kube-tools.ts';
import type { KubeTools } from '../../../sandbox/tools/kube-tools.ts';

// The chart installed, upgraded and uninstalled with the real helm, following the README's procedure.
const root = resolve(import.meta.dirname, '../../..');
const chart = join(root, 'charts/sluice-operator');
const dir = mkdtempSync(join(tmpdir(), 'sluice-helm-'));
let sandbox: Sandbox | undefined;
let tools: KubeTools;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(tool: keyof KubeTools, args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(tools[tool], ['--kubeconfig', sandbox!.kubeconfigPath, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function ok(tool: keyof KubeTools, ...args: string[]): Promise<string> {
  const result = await run(tool, args);
  if (result.code !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

const names = (stdout: string) => stdout.trim().split('\n').sort();

beforeAll(async () => {
  tools = await ensureKubeTools();
  sandbox = await startSandbox({ dir, kubelet: false, s3: false });
});

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('helm and the sluice-operator chart on the sandbox', () => {
  it('installs the CRD, the RBAC, the Service and the Deployment', async () => {
    expect(await ok('helm', 'install', 'sluice', chart, '-n', 'sluice-system', '--create-namespace')).toContain('STATUS: deployed');
    await ok('kubectl', 'wait', '--for=condition=Established', 'crd/streamjobs.sluice.dev', '--timeout=20s');
    expect(names(await ok('kubectl', '-n', 'sluice-system', 'get', 'deployments,serviceaccounts,services,roles,rolebindings', '-l', 'app.kubernetes.io/instance=sluice', '-o', 'name'))).toEqual([
      'deployment.apps/sluice-operator',
      'role.rbac.authorization.k8s.io/sluice-operator-leader-election',
      'rolebinding.rbac.authorization.k8s.io/sluice-operator-leader-election',
      'service/sluice-operator-metrics',
      'serviceaccount/sluice-operator',
    ]);
    expect(names(await ok('kubectl', 'get', 'clusterroles,clusterrolebindings', '-l', 'app.kubernetes.io/instance=sluice', '-o', 'name'))).toEqual([
      'clusterrole.rbac.authorization.k8s.io/sluice-operator',
      'clusterrolebinding.rbac.authorization.k8s.io/sluice-operator',
    ]);
    const pod = JSON.parse(await ok('kubectl', '-n', 'sluice-system', 'get', 'deployment', 'sluice-operator', '-o', 'jsonpath={.spec.template.spec}'));
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
    });
    expect(await ok('kubectl', 'apply', '-f', join(root, 'examples/wordcount.yaml'))).toBe('secret/minio-creds created\nstreamjob.sluice.dev/wordcount created\n');
  });

  it('upgrades the CRD only by the documented server-side apply, and leaves it to that on helm upgrade', async () => {
    const changed = join(dir, 'streamjobs.sluice.dev.yaml');
    writeFileSync(changed, readFileSync(join(chart, 'crds/streamjobs.sluice.dev.yaml'), 'utf8').replace('Lifecycle phase of the job.', 'Phase, changed.'));
    const withoutForce = await run('kubectl', ['apply', '--server-side', '-f', changed]);
    expect(withoutForce.code).toBe(1);
    expect(withoutForce.stderr).toMatch(/^error: Apply failed with \d+ conflicts?: conflicts? with "helm"/);
    expect(await ok('kubectl', 'apply', '--server-side', '--force-conflicts', '-f', changed)).toBe(
      'customresourcedefinition.apiextensions.k8s.io/streamjobs.sluice.dev serverside-applied\n',
    );
    expect(await ok('helm', 'upgrade', 'sluice', chart, '-n', 'sluice-system', '--set', 'logLevel=debug')).toContain('STATUS: deployed');
    const env = JSON.parse(await ok('kubectl', '-n', 'sluice-system', 'get', 'deployment', 'sluice-operator', '-o', 'jsonpath={.spec.template.spec.containers[0].env}'));
    expect(env.find((e: { name: string }) => e.name === 'SLUICE_LOG_LEVEL')).toEqual({ name: 'SLUICE_LOG_LEVEL', value: 'debug' });
    expect(await ok('kubectl', 'get', 'crd', 'streamjobs.sluice.dev', '-o', 'jsonpath={.spec.versions[0].additionalPrinterColumns[0].description}')).toBe('Phase, changed.');
  });

  it('uninstalls everything but the CRD and the StreamJobs', async () => {
    await ok('helm', 'uninstall', 'sluice', '-n', 'sluice-system', '--wait');
    expect(await ok('kubectl', 'get', 'clusterroles,clusterrolebindings', '-l', 'app.kubernetes.io/instance=sluice', '-o', 'name')).toBe('');
    expect(await ok('kubectl', '-n', 'sluice-system', 'get', 'deployments,services,roles', '-o', 'name')).toBe('');
    expect(await ok('kubectl', 'get', 'sj', '-o', 'name')).toBe('streamjob.sluice.dev/wordcount\n');
  });

  it('installs per-namespace Roles when watchNamespaces is set, once those namespaces exist', async () => {
    const missing = await run('helm', ['install', 'scoped', chart, '-n', 'ops', '--create-namespace', '--set', 'watchNamespaces={jobs}', '--skip-crds']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('namespaces "jobs" not found');
    await ok('kubectl', 'create', 'namespace', 'jobs');
    await ok('helm', 'uninstall', 'scoped', '-n', 'ops', '--wait');
    await ok('helm', 'install', 'scoped', chart, '-n', 'ops', '--set', 'watchNamespaces={jobs}', '--skip-crds');
    expect(names(await ok('kubectl', '-n', 'jobs', 'get', 'roles,rolebindings', '-o', 'name'))).toEqual([
      'role.rbac.authorization.k8s.io/scoped-sluice-operator',
      'rolebinding.rbac.authorization.k8s.io/scoped-sluice-operator',
    ]);
    expect(await ok('kubectl', 'get', 'clusterroles', '-l', 'app.kubernetes.io/instance=scoped', '-o', 'name')).toBe('');
  });
});
