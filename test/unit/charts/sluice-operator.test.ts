import { describe, it, expect, beforeAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ensureKubeTools } from '../../../sandbox/tools/kube-tools.ts';
import { streamJobCrd } from '../../../operator/crd/stream-job-crd.ts';

const run = promisify(execFile);
const chart = resolve(import.meta.dirname, '../../../charts/sluice-operator');
let helm: string;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: any;
}

async function template(...args: string[]): Promise<Manifest[]> {
  const { stdout } = await run(helm, ['template', 'sluice', chart, '--namespace', 'sluice-system', ...args], { timeout: 30_000 });
  return parseAllDocuments(stdout).map((d) => d.toJS() as Manifest).filter((m) => m !== null);
}

async function templateError(...args: string[]): Promise<string> {
  const failure = await run(helm, ['template', 'sluice', chart, ...args], { timeout: 30_000 }).then(
    () => undefined,
    (error: { stderr: string }) => error.stderr,
  );
  if (failure === undefined) throw new Error(`helm template ${args.join(' ')} succeeded; it should have failed`);
  return failure;
}

const ids = (manifests: Manifest[]) => manifests.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`);
const find = (manifests: Manifest[], kind: string, namespace?: string) =>
  manifests.filter((m) => m.kind === kind && (namespace === undefined || m.metadata.namespace === namespace));

const OPERATOR_RULES = [
  { apiGroups: ['sluice.dev'], resources: ['streamjobs'], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroups: ['sluice.dev'], resources: ['streamjobs/status'], verbs: ['update'] },
  { apiGroups: ['sluice.dev'], resources: ['streamjobs/finalizers'], verbs: ['update'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch', 'create', 'delete'] },
  { apiGroups: [''], resources: ['services', 'configmaps'], verbs: ['list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list', 'watch', 'create', 'patch', 'delete'] },
];
const LEADER_ELECTION_RULES = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['sluice-operator-leader'], verbs: ['get', 'update'] },
];
const SUBJECTS = [{ kind: 'ServiceAccount', name: 'sluice-operator', namespace: 'sluice-system' }];

beforeAll(async () => {
  ({ helm } = await ensureKubeTools());
});

describe('sluice-operator chart', () => {
  it('passes helm lint --strict', async () => {
    const { stdout } = await run(helm, ['lint', '--strict', chart], { timeout: 30_000 });
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders cluster-wide RBAC, the leader-election Role and the operator with default values', async () => {
    const manifests = await template();
    expect(ids(manifests)).toEqual([
      'ServiceAccount/sluice-system/sluice-operator',
      'Secret/sluice-system/sluice-operator-operator-key',
      'ClusterRole//sluice-operator',
      'ClusterRoleBinding//sluice-operator',
      'Role/sluice-system/sluice-operator-leader-election',
      'RoleBinding/sluice-system/sluice-operator-leader-election',
      'Service/sluice-system/sluice-operator-metrics',
      'Deployment/sluice-system/sluice-operator',
      'ValidatingAdmissionPolicy//sluice-operator-pod-template.sluice-system',
      'ValidatingAdmissionPolicyBinding//sluice-operator-pod-template.sluice-system',
    ]);
    expect(find(manifests, 'ClusterRole')[0]!['rules']).toEqual(OPERATOR_RULES);
    const binding = find(manifests, 'ClusterRoleBinding')[0]!;
    expect([binding['roleRef'], binding['subjects']]).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'sluice-operator' }, SUBJECTS]);
    expect(find(manifests, 'Role')[0]!['rules']).toEqual(LEADER_ELECTION_RULES);
    expect(find(manifests, 'RoleBinding')[0]!['subjects']).toEqual(SUBJECTS);
  });

  it('runs the operator non-root on a read-only root filesystem, with probes and its settings in env', async () => {
    const deployment = find(await template(), 'Deployment')[0]!;
    const pod = deployment['spec']['template']['spec'];
    const [container] = pod['containers'];
    expect(deployment['spec']['replicas']).toBe(2);
    expect(pod['serviceAccountName']).toBe('sluice-operator');
    expect(pod['securityContext']).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container['securityContext']).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container['image']).toBe('ghcr.io/sluice-dev/sluice-operator:0.1.0');
    expect(container['command']).toEqual(['node', '--import', 'tsx', 'operator/main.ts']);
    expect(container['env']).toEqual([
      { name: 'SLUICE_WATCH_NAMESPACES', value: '' },
      { name: 'SLUICE_RESYNC_PERIOD', value: '5m' },
      { name: 'SLUICE_LOG_LEVEL', value: 'info' },
      { name: 'SLUICE_HTTP_PORT', value: '8080' },
      { name: 'SLUICE_LEASE_NAME', value: 'sluice-operator-leader' },
      { name: 'SLUICE_OPERATOR_KEY_FILE', value: '/etc/sluice/operator-key/operator-key' },
      { name: 'SLUICE_NETWORK_POLICIES', value: 'enabled' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]);
    expect(container['livenessProbe']['httpGet']).toEqual({ path: '/healthz', port: 'http' });
    expect(container['readinessProbe']['httpGet']).toEqual({ path: '/readyz', port: 'http' });
    expect(container['ports']).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container['volumeMounts']).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'operator-key', mountPath: '/etc/sluice/operator-key', readOnly: true },
    ]);
    expect(pod['volumes']).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'operator-key', secret: { secretName: 'sluice-operator-operator-key', defaultMode: 0o400 } },
    ]);
  });

  it('lets the operator write NetworkPolicies unless networkPolicy.enabled is false, and then grants nothing for them', async () => {
    const manifests = await template('--set', 'networkPolicy.enabled=false');
    expect(find(manifests, 'ClusterRole')[0]!['rules']).toEqual(OPERATOR_RULES.filter((r) => r.apiGroups[0] !== 'networking.k8s.io'));
    const env = find(manifests, 'Deployment')[0]!['spec']['template']['spec']['containers'][0]['env'];
    expect(env.find((e: { name: string }) => e.name === 'SLUICE_NETWORK_POLICIES')).toEqual({ name: 'SLUICE_NETWORK_POLICIES', value: 'disabled' });
  });

  it('generates the operator\'s key once: 64 hex characters, kept on uninstall, different per install', async () => {
    const key = async () => {
      const [secret] = find(await template(), 'Secret');
      expect(secret!.metadata).toMatchObject({ name: 'sluice-operator-operator-key', annotations: { 'helm.sh/resource-policy': 'keep' } });
      return Buffer.from(secret!['data']['operator-key'], 'base64').toString('utf8');
    };
    const [first, second] = [await key(), await key()];
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toMatch(/^[0-9a-f]{64}$/);
    expect(second).not.toBe(first);
  });

  it('grants a Role per watched namespace and nothing cluster-wide when watchNamespaces is set', async () => {
    const manifests = await template('--set', 'watchNamespaces={jobs,team-b}', '--set', 'logLevel=debug', '--set', 'resyncPeriod=30s');
    expect(find(manifests, 'ClusterRole')).toEqual([]);
    expect(find(manifests, 'ClusterRoleBinding')).toEqual([]);
    for (const namespace of ['jobs', 'team-b']) {
      const [role] = find(manifests, 'Role', namespace);
      const [binding] = find(manifests, 'RoleBinding', namespace);
      expect(role!.metadata.name).toBe('sluice-operator');
      expect(role!['rules']).toEqual(OPERATOR_RULES);
      expect([binding!['roleRef'], binding!['subjects']]).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'sluice-operator' }, SUBJECTS]);
    }
    expect(find(manifests, 'Role', 'sluice-system').map((r) => r['rules'])).toEqual([LEADER_ELECTION_RULES]);
    const env = find(manifests, 'Deployment')[0]!['spec']['template']['spec']['containers'][0]['env'];
    expect(env.slice(0, 3)).toEqual([
      { name: 'SLUICE_WATCH_NAMESPACES', value: 'jobs,team-b' },
      { name: 'SLUICE_RESYNC_PERIOD', value: '30s' },
      { name: 'SLUICE_LOG_LEVEL', value: 'debug' },
    ]);
  });

  it('names objects after the release and takes an existing service account', async () => {
    const manifests = await template('--set', 'fullnameOverride=ops', '--set', 'serviceAccount.create=false', '--set', 'serviceAccount.name=platform');
    expect(ids(manifests)).toEqual([
      'Secret/sluice-system/ops-operator-key',
      'ClusterRole//ops',
      'ClusterRoleBinding//ops',
      'Role/sluice-system/ops-leader-election',
      'RoleBinding/sluice-system/ops-leader-election',
      'Service/sluice-system/ops-metrics',
      'Deployment/sluice-system/ops',
      'ValidatingAdmissionPolicy//ops-pod-template.sluice-system',
      'ValidatingAdmissionPolicyBinding//ops-pod-template.sluice-system',
    ]);
    expect(find(manifests, 'ClusterRoleBinding')[0]!['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'platform', namespace: 'sluice-system' }]);
    expect(find(manifests, 'Role')[0]!['rules'][1].resourceNames).toEqual(['ops-leader']);
  });

  it('ships the pod-template admission policy, bound to every namespace or the watched ones, unless disabled', async () => {
    const [policy] = find(await template(), 'ValidatingAdmissionPolicy');
    expect(policy!['spec']['matchConstraints']).toEqual({
      resourceRules: [{ apiGroups: ['sluice.dev'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['streamjobs'] }],
    });
    expect(policy!['spec']['failurePolicy']).toBe('Fail');
    expect(policy!['spec']['validations'].map((v: { reason: string }) => v.reason)).toEqual(Array(6).fill('Forbidden'));
    const variable = (manifest: Manifest, name: string) => manifest['spec']['variables'].find((v: { name: string }) => v.name === name).expression;
    expect(variable(policy!, 'allowedServiceAccounts')).toBe('["default"]');
    const [binding] = find(await template(), 'ValidatingAdmissionPolicyBinding');
    expect(binding!['spec']).toEqual({ policyName: 'sluice-operator-pod-template.sluice-system', validationActions: ['Deny'] });

    const scoped = await template('--set', 'watchNamespaces={jobs,team-b}', '--set', 'admissionPolicy.allowedServiceAccounts={job-runner}');
    expect(variable(find(scoped, 'ValidatingAdmissionPolicy')[0]!, 'allowedServiceAccounts')).toBe('["default","job-runner"]');
    expect(find(scoped, 'ValidatingAdmissionPolicyBinding')[0]!['spec']['matchResources']).toEqual({
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['jobs', 'team-b'] }] },
    });

    const disabled = await template('--set', 'admissionPolicy.enabled=false');
    expect(find(disabled, 'ValidatingAdmissionPolicy')).toEqual([]);
    expect(find(disabled, 'ValidatingAdmissionPolicyBinding')).toEqual([]);
    expect(ids(disabled)).toEqual(ids(await template()).filter((id) => !id.startsWith('ValidatingAdmissionPolicy')));
  });

  it('ships the generated CRD', async () => {
    const manifests = await template('--include-crds');
    expect(find(manifests, 'CustomResourceDefinition')).toEqual([streamJobCrd()]);
  });

  it('refuses invalid values, naming them', async () => {
    expect(await templateError('--set', 'logLevel=loud')).toContain("at '/logLevel': value must be one of 'trace', 'debug', 'info', 'warn', 'error', 'fatal'");
    expect(await templateError('--set', 'resyncPeriod=5min')).toContain("at '/resyncPeriod': '5min' does not match pattern '^[0-9]+(ms|s|m|h)$'");
    expect(await templateError('--set', 'watchNamespaces={Jobs}')).toContain("at '/watchNamespaces/0': 'Jobs' does not match pattern");
    expect(await templateError('--set', 'admissionPolicy.allowedServiceAccounts={CI}')).toContain("at '/admissionPolicy/allowedServiceAccounts/0': 'CI' does not match pattern");
    expect(await templateError('--set', 'serviceAccount.create=false')).toContain('serviceAccount.name is required when serviceAccount.create is false');
  });
});
