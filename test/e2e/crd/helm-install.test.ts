import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, useCluster, type E2eCluster } from '../support/cluster.ts';

// The chart installed, upgraded and uninstalled with the real helm 4 on the real API server,
// following the chart README's procedure. The cluster is shared with the other e2e files, so:
// - releases install no operator pods (`replicas=0`): a release without watchNamespaces would run
//   operators over every namespace, other files' StreamJobs included;
// - release names are this file's own, so the ClusterRole and ClusterRoleBinding are too;
// - the shared StreamJob CRD is never changed: the CRD upgrade is shown on a copy of the chart whose
//   CRD has a group of this file's own (helm 4 applies crds/ on every `helm install` of any release,
//   and fails when a field of it was changed by another manager, so a changed shared CRD would make
//   every other file's `helm install` fail).
const NAMESPACE = 'e2e-helm';
const JOBS = 'e2e-helm-jobs';
const OPS = 'e2e-helm-ops';
const chart = join(root, 'charts/sluice-operator');
const COPY_GROUP = 'helm-e2e.sluice.dev';
const COPY_CRD = `helme2ejobs.${COPY_GROUP}`;
let cluster: E2eCluster;
let copy: string;

const run = (tool: 'kubectl' | 'helm', args: string[]) => (tool === 'kubectl' ? cluster.kubectl(args) : cluster.helm(args));

async function ok(tool: 'kubectl' | 'helm', ...args: string[]): Promise<string> {
  const result = await run(tool, args);
  if (result.code !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

const names = (stdout: string) => stdout.trim().split('\n').sort();

beforeAll(async () => {
  cluster = await useCluster(NAMESPACE);
  copy = join(cluster.dir, 'helm-e2e-chart');
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(copy, { recursive: true });
  cpSync(chart, copy, { recursive: true });
  const crd = join(copy, 'crds/streamjobs.sluice.dev.yaml');
  // Its own group and names too, so that no file's `kubectl get sj` or `streamjobs` can mean it.
  const text = readFileSync(crd, 'utf8');
  const renamed = text
    .replace('name: streamjobs.sluice.dev', `name: ${COPY_CRD}`)
    .replace('group: sluice.dev', `group: ${COPY_GROUP}`)
    .replace('    kind: StreamJob\n    listKind: StreamJobList\n    plural: streamjobs\n    singular: streamjob\n    shortNames:\n      - sj\n    categories:\n      - all\n', '    kind: HelmE2eJob\n    listKind: HelmE2eJobList\n    plural: helme2ejobs\n    singular: helme2ejob\n');
  expect(renamed).not.toMatch(/name: streamjobs|group: sluice\.dev$|kind: StreamJob$|plural: streamjobs|- sj$|- all$/m);
  writeFileSync(crd, renamed);
});

afterAll(async () => {
  for (const [release, namespace] of [['e2e-helm', NAMESPACE], ['e2e-helm-copy', NAMESPACE], ['e2e-helm-copy-2', NAMESPACE], ['e2e-helm-scoped', OPS]] as const) {
    await cluster?.helm(['uninstall', release, '-n', namespace, '--ignore-not-found', '--wait']);
  }
  await cluster?.kubectl(['delete', 'namespace', JOBS, OPS, '--ignore-not-found']);
  await cluster?.kubectl(['delete', 'crd', COPY_CRD, '--ignore-not-found']);
  await cluster?.release();
}, 120_000);

describe('helm and the sluice-operator chart on the real API server', () => {
  it('installs the CRD, the RBAC, the Service and the Deployment', async () => {
    expect(await ok('helm', 'install', 'e2e-helm', chart, '-n', NAMESPACE, '--set', 'replicas=0')).toContain('STATUS: deployed');
    await ok('kubectl', 'wait', '--for=condition=Established', 'crd/streamjobs.sluice.dev', '--timeout=20s');
    expect(names(await ok('kubectl', 'get', 'deployments,serviceaccounts,services,roles,rolebindings', '-l', 'app.kubernetes.io/instance=e2e-helm', '-o', 'name'))).toEqual([
      'deployment.apps/e2e-helm-sluice-operator',
      'role.rbac.authorization.k8s.io/e2e-helm-sluice-operator-leader-election',
      'rolebinding.rbac.authorization.k8s.io/e2e-helm-sluice-operator-leader-election',
      'service/e2e-helm-sluice-operator-metrics',
      'serviceaccount/e2e-helm-sluice-operator',
    ]);
    expect(names(await ok('kubectl', 'get', 'clusterroles,clusterrolebindings', '-l', 'app.kubernetes.io/instance=e2e-helm', '-o', 'name'))).toEqual([
      'clusterrole.rbac.authorization.k8s.io/e2e-helm-sluice-operator',
      'clusterrolebinding.rbac.authorization.k8s.io/e2e-helm-sluice-operator',
    ]);
    const pod = JSON.parse(await ok('kubectl', 'get', 'deployment', 'e2e-helm-sluice-operator', '-o', 'jsonpath={.spec.template.spec}'));
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
    });
    expect(await ok('kubectl', 'apply', '-f', join(root, 'examples/wordcount.yaml'))).toBe('streamjob.sluice.dev/wordcount created\n');
  });

  it('upgrades the CRD only by the documented server-side apply, and leaves it to that on helm upgrade', async () => {
    expect(await ok('helm', 'install', 'e2e-helm-copy', copy, '-n', NAMESPACE, '--set', 'replicas=0', '--set', `watchNamespaces={${NAMESPACE}}`)).toContain('STATUS: deployed');
    await ok('kubectl', 'wait', '--for=condition=Established', `crd/${COPY_CRD}`, '--timeout=20s');
    const changed = join(cluster.dir, 'helm-e2e-changed-crd.yaml');
    writeFileSync(changed, readFileSync(join(copy, 'crds/streamjobs.sluice.dev.yaml'), 'utf8').replace('Lifecycle phase of the job.', 'Phase, changed.'));
    const withoutForce = await run('kubectl', ['apply', '--server-side', '-f', changed]);
    expect(withoutForce.code).toBe(1);
    expect(withoutForce.stderr).toMatch(/^error: Apply failed with \d+ conflicts?: conflicts? with "helm"/);
    expect(await ok('kubectl', 'apply', '--server-side', '--force-conflicts', '-f', changed)).toBe(
      `customresourcedefinition.apiextensions.k8s.io/${COPY_CRD} serverside-applied\n`,
    );
    expect(await ok('helm', 'upgrade', 'e2e-helm-copy', copy, '-n', NAMESPACE, '--set', 'replicas=0', '--set', `watchNamespaces={${NAMESPACE}}`, '--set', 'logLevel=debug')).toContain('STATUS: deployed');
    const env = JSON.parse(await ok('kubectl', 'get', 'deployment', 'e2e-helm-copy-sluice-operator', '-o', 'jsonpath={.spec.template.spec.containers[0].env}'));
    expect(env.find((e: { name: string }) => e.name === 'SLUICE_LOG_LEVEL')).toEqual({ name: 'SLUICE_LOG_LEVEL', value: 'debug' });
    expect(await ok('kubectl', 'get', 'crd', COPY_CRD, '-o', 'jsonpath={.spec.versions[0].additionalPrinterColumns[0].description}')).toBe('Phase, changed.');
    // helm 4 applies crds/ on every install (never on upgrade): with a field changed by kubectl, a new release fails.
    const again = await run('helm', ['install', 'e2e-helm-copy-2', copy, '-n', NAMESPACE, '--set', 'replicas=0', '--set', `watchNamespaces={${NAMESPACE}}`]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .spec.versions');
    await ok('helm', 'uninstall', 'e2e-helm-copy', '-n', NAMESPACE, '--wait');
  });

  it('uninstalls everything but the CRD and the StreamJobs', async () => {
    await ok('helm', 'uninstall', 'e2e-helm', '-n', NAMESPACE, '--wait');
    expect(await ok('kubectl', 'get', 'clusterroles,clusterrolebindings', '-l', 'app.kubernetes.io/instance=e2e-helm', '-o', 'name')).toBe('');
    expect(await ok('kubectl', 'get', 'deployments,services,roles', '-o', 'name')).toBe('');
    expect(await ok('kubectl', 'get', 'crd', 'streamjobs.sluice.dev', '-o', 'name')).toBe('customresourcedefinition.apiextensions.k8s.io/streamjobs.sluice.dev\n');
    expect(await ok('kubectl', 'get', 'streamjobs.sluice.dev', '-o', 'name')).toBe('streamjob.sluice.dev/wordcount\n');
  });

  it('installs per-namespace Roles when watchNamespaces is set, once those namespaces exist', async () => {
    const missing = await run('helm', ['install', 'e2e-helm-scoped', chart, '-n', OPS, '--create-namespace', '--set', 'replicas=0', '--set', `watchNamespaces={${JOBS}}`, '--skip-crds']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`namespaces "${JOBS}" not found`);
    await ok('kubectl', 'create', 'namespace', JOBS);
    await ok('helm', 'uninstall', 'e2e-helm-scoped', '-n', OPS, '--wait');
    await ok('helm', 'install', 'e2e-helm-scoped', chart, '-n', OPS, '--set', 'replicas=0', '--set', `watchNamespaces={${JOBS}}`, '--skip-crds');
    expect(names(await ok('kubectl', '-n', JOBS, 'get', 'roles,rolebindings', '-o', 'name'))).toEqual([
      'role.rbac.authorization.k8s.io/e2e-helm-scoped-sluice-operator',
      'rolebinding.rbac.authorization.k8s.io/e2e-helm-scoped-sluice-operator',
    ]);
    expect(await ok('kubectl', 'get', 'clusterroles', '-l', 'app.kubernetes.io/instance=e2e-helm-scoped', '-o', 'name')).toBe('');
  });
});
