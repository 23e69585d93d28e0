import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { parseAllDocuments } from 'yaml';
import { ensureBinaries } from '../../../sandbox/binaries/binaries.ts';
import { runCommand, type CommandResult } from '../../support/command.ts';
import { useCluster, type E2eCluster } from '../support/cluster.ts';
import { applyStreamJobCrd } from '../support/stream-job-crd.ts';
import { chart, eventually, uninstallOperator } from '../operator/operator-harness.ts';

// Issue 11, item 5, on the real control plane (kube-apiserver v1.35.4 evaluates both the chart's
// ValidatingAdmissionPolicy and Pod Security): the chart installed by helm in this file's namespace,
// which enforces Pod Security `restricted`, watching only it (so its policy binds only here and
// leaves other files' StreamJobs alone); kubectl applies StreamJobs whose pod templates ask for what
// the policy refuses, each refused with a message naming the field and why; a StreamJob with a
// harmless pod template runs through the helm-installed operator to Running, its pods admitted under
// `restricted`; with admissionPolicy.enabled=false the policy is gone.
const NAMESPACE = 'e2e-admission';
const BUCKET = 'e2e-admission';
const RELEASE = 'e2e-admission';
/** `<fullname>-pod-template.<release namespace>`: cluster-scoped, so the namespace is in the name. */
const POLICY = 'e2e-admission-sluice-operator-pod-template.e2e-admission';
let cluster: E2eCluster;
let s3: S3Client;

async function ok(tool: 'kubectl' | 'helm', ...args: string[]): Promise<string> {
  const result: CommandResult = tool === 'kubectl' ? await cluster.kubectl(args) : await cluster.helm(args);
  if (result.code !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

const helmValues = ['--skip-crds', '--set', 'replicas=1', '--set', `watchNamespaces={${NAMESPACE}}`];

function streamJob(name: string, podTemplates: { jobManager?: object; taskManager?: object }) {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'StreamJob',
    metadata: { name },
    spec: {
      image: 'ghcr.io/sluice-dev/sluice-runtime:0.1.0',
      job: { entry: 'test/e2e/operator/fixtures/counting-job.ts', parallelism: 1 },
      jobManager: podTemplates.jobManager === undefined ? {} : { podTemplate: podTemplates.jobManager },
      taskManager: { replicas: 1, slots: 1, ...(podTemplates.taskManager === undefined ? {} : { podTemplate: podTemplates.taskManager }) },
      checkpointing: {
        interval: '1s',
        storage: { s3: { endpoint: cluster.s3.clusterEndpoint, bucket: BUCKET, prefix: 'e2e', region: cluster.s3.region, forcePathStyle: true, credentialsSecret: 'minio-creds' } },
      },
    },
  };
}

const applyJob = (manifest: object, ...flags: string[]) => cluster.kubectl(['apply', ...flags, '-f', '-'], JSON.stringify(manifest));

const denied = (message: string) => `ValidatingAdmissionPolicy '${POLICY}' with binding '${POLICY}' denied request: ${message}`;
const refusedCreate = (name: string, message: string) => `Error from server (Forbidden): error when creating "STDIN": streamjobs.sluice.dev "${name}" is forbidden: ${denied(message)}\n`;

const WHY = {
  privileged: "a privileged container gets every device and capability of the node, as root on the node would; StreamJob pods may not ask for it",
  capabilities: "added Linux capabilities give a container root powers over the node's network, files or processes; the job's containers run with all capabilities dropped",
  escalation: "a process could gain more privileges than its parent (setuid binaries, file capabilities); the job's containers run with it false",
  hostPath: "a hostPath volume reads and writes the node's own filesystem; use emptyDir, a ConfigMap, a Secret or a PersistentVolumeClaim",
  hostNamespace: "the pod would share the node's network, process or IPC namespace and see or reach what else runs on the node",
  serviceAccount: `the pods would act with that ServiceAccount's rights in the cluster; allowed are "default" (the namespace's default, which the operator's pods use, and the chart's admissionPolicy.allowedServiceAccounts)`,
};

const privilegedJob = () => streamJob('probe', { taskManager: { spec: { containers: [{ name: 'taskmanager', securityContext: { privileged: true } }] } } });

beforeAll(async () => {
  cluster = await useCluster(NAMESPACE);
  await ok('kubectl', 'label', 'namespace', NAMESPACE, 'pod-security.kubernetes.io/enforce=restricted', '--overwrite');
  s3 = new S3Client({ endpoint: cluster.s3.endpoint, region: cluster.s3.region, forcePathStyle: true, credentials: { accessKeyId: cluster.s3.accessKeyId, secretAccessKey: cluster.s3.secretAccessKey } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await applyStreamJobCrd(cluster);
  await ok('helm', 'install', RELEASE, chart, '-n', NAMESPACE, ...helmValues, '--wait', '--timeout=120s');
  await ok('kubectl', 'create', 'secret', 'generic', 'minio-creds', `--from-literal=AWS_ACCESS_KEY_ID=${cluster.s3.accessKeyId}`, `--from-literal=AWS_SECRET_ACCESS_KEY=${cluster.s3.secretAccessKey}`);
  // A new policy is enforced once the API server has loaded it and its binding: the first refusal
  // (of a server-side dry run, which goes through admission and stores nothing) is the proof.
  await eventually('the policy enforced', async () => ((await applyJob(privilegedJob(), '--dry-run=server')).code === 1 ? true : undefined), 30_000);
}, 180_000);

afterAll(async () => {
  await uninstallOperator(cluster, RELEASE);
  s3?.destroy();
  await cluster?.release();
}, 120_000);

describe("the chart's ValidatingAdmissionPolicy on StreamJob pod templates", () => {
  it('is installed with its binding, bound to the watched namespace, and type-checks without warnings', async () => {
    const policy = JSON.parse(await ok('kubectl', 'get', 'validatingadmissionpolicy', POLICY, '-o', 'json'));
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: ['sluice.dev'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['streamjobs'], scope: '*' },
    ]);
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.status.typeChecking).toEqual({});
    const binding = JSON.parse(await ok('kubectl', 'get', 'validatingadmissionpolicybinding', POLICY, '-o', 'json'));
    expect(binding.spec.policyName).toBe(POLICY);
    expect(binding.spec.validationActions).toEqual(['Deny']);
    expect(binding.spec.matchResources.namespaceSelector).toEqual({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [NAMESPACE] }] });
  });

  it("compiles in the CEL environment of a Kubernetes 1.30 API server, which the sandbox's 1.35 cannot show", async () => {
    // A 1.35 server compiles new expressions with 1.34's CEL libraries (flatten(), transformList, ...);
    // celcompile compiles the installed policy as an older server would (sandbox/controlplane/celcompile).
    const policy = JSON.parse(await ok('kubectl', 'get', 'validatingadmissionpolicy', POLICY, '-o', 'json'));
    const { celcompile: binary } = await ensureBinaries(['celcompile']);
    const celcompile = (server: string, manifest: object) => runCommand(binary!, [server], { PATH: process.env.PATH ?? '' }, JSON.stringify(manifest));
    const compiled = await celcompile('1.30', policy);
    expect([compiled.code, compiled.stdout]).toEqual([0, `${POLICY}: CEL of 17 matchConditions, variables and validations compiled as Kubernetes 1.30 does (environment 1.29): 0 failed\n`]);
    // The check has teeth: flatten() (CEL lists library, in Kubernetes' environment from 1.34) is refused by 1.34 itself.
    const withFlatten = structuredClone(policy);
    withFlatten.spec.variables.push({ name: 'flattened', expression: '[[1], [2]].flatten()' });
    const refused = await celcompile('1.34', withFlatten);
    expect([refused.code, refused.stdout]).toEqual([1, [
      "variable flattened: compilation failed: ERROR: <input>:1:19: undeclared reference to 'flatten' (in container '')",
      ' | [[1], [2]].flatten()',
      ' | ..................^',
      `${POLICY}: CEL of 18 matchConditions, variables and validations compiled as Kubernetes 1.34 does (environment 1.33): 1 failed`,
      '',
    ].join('\n')]);
  }, 300_000);

  const refused: [string, { jobManager?: object; taskManager?: object }, string][] = [
    ['privileged', { taskManager: { spec: { containers: [{ name: 'taskmanager' }, { name: 'debug', image: 'busybox', securityContext: { privileged: true } }] } } },
      `spec.taskManager.podTemplate.spec.containers[1].securityContext.privileged is true (container "debug"): ${WHY.privileged}`],
    ['privileged-init', { jobManager: { spec: { initContainers: [{ name: 'setup', image: 'busybox', securityContext: { privileged: true } }] } } },
      `spec.jobManager.podTemplate.spec.initContainers[0].securityContext.privileged is true (container "setup"): ${WHY.privileged}`],
    ['capabilities', { taskManager: { spec: { containers: [{ name: 'taskmanager', securityContext: { capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] } } }] } } },
      `spec.taskManager.podTemplate.spec.containers[0].securityContext.capabilities.add is [NET_ADMIN, SYS_TIME] (container "taskmanager"): ${WHY.capabilities}`],
    ['escalation', { jobManager: { spec: { containers: [{ name: 'jobmanager', securityContext: { allowPrivilegeEscalation: true } }] } } },
      `spec.jobManager.podTemplate.spec.containers[0].securityContext.allowPrivilegeEscalation is true (container "jobmanager"): ${WHY.escalation}`],
    ['host-path', { taskManager: { spec: { volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'root', hostPath: { path: '/' } }] } } },
      `spec.taskManager.podTemplate.spec.volumes[1].hostPath is set (volume "root"): ${WHY.hostPath}`],
    ['host-network', { jobManager: { spec: { hostNetwork: true } } }, `spec.jobManager.podTemplate.spec.hostNetwork is true: ${WHY.hostNamespace}`],
    ['host-pid', { taskManager: { spec: { hostPID: true } } }, `spec.taskManager.podTemplate.spec.hostPID is true: ${WHY.hostNamespace}`],
    ['host-ipc', { taskManager: { spec: { hostIPC: true } } }, `spec.taskManager.podTemplate.spec.hostIPC is true: ${WHY.hostNamespace}`],
    ['service-account', { taskManager: { spec: { serviceAccountName: 'ci-admin' } } }, `spec.taskManager.podTemplate.spec.serviceAccountName is "ci-admin": ${WHY.serviceAccount}`],
    ['service-account-alias', { jobManager: { spec: { serviceAccount: 'ci-admin' } } }, `spec.jobManager.podTemplate.spec.serviceAccount is "ci-admin": ${WHY.serviceAccount}`],
  ];

  it.each(refused)('refuses a StreamJob asking for %s, naming the field and why', async (name, podTemplates, message) => {
    const result = await applyJob(streamJob(name, podTemplates));
    expect([result.code, result.stdout, result.stderr]).toEqual([1, '', refusedCreate(name, message)]);
  });

  it('stored none of the refused StreamJobs', async () => {
    expect(await ok('kubectl', 'get', 'sj', '-o', 'name')).toBe('');
  });

  it('accepts a harmless pod template, which the operator runs to Running under Pod Security restricted', async () => {
    const harmless = {
      metadata: { labels: { team: 'analytics' }, annotations: { 'example.com/owner': 'analytics' } },
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'taskmanager', securityContext: { privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
        volumes: [{ name: 'scratch', emptyDir: { sizeLimit: '64Mi' } }],
        serviceAccountName: 'default',
      },
    };
    const applied = await applyJob(streamJob('counting', { jobManager: { metadata: { labels: { team: 'analytics' } } }, taskManager: harmless }));
    expect([applied.code, applied.stdout, applied.stderr]).toEqual([0, 'streamjob.sluice.dev/counting created\n', '']);
    expect(await ok('kubectl', 'wait', '--for=condition=Ready', 'sj/counting', '--timeout=150s')).toBe('streamjob.sluice.dev/counting condition met\n');
    expect(await ok('kubectl', 'get', 'namespace', NAMESPACE, '-o', 'jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}')).toBe('restricted');
    // The namespace enforces `restricted`: a pod that violated it would not exist.
    const pods = await ok('kubectl', 'get', 'pods', '-l', 'sluice.dev/job=counting', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase}/{.metadata.labels.team} {end}');
    expect(pods.trim().split(' ').sort()).toEqual(['counting-jobmanager=Running/analytics', 'counting-taskmanager-0=Running/analytics']);
    const taskManager = JSON.parse(await ok('kubectl', 'get', 'pod', 'counting-taskmanager-0', '-o', 'json'));
    expect(taskManager.spec.volumes.map((v: { name: string }) => v.name)).toContain('scratch');
    expect(taskManager.spec.containers[0].securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const status = await eventually('Running with a completed checkpoint', async () => {
      const s = JSON.parse((await ok('kubectl', 'get', 'sj', 'counting', '-o', 'jsonpath={.status}')) || '{}');
      return s.phase === 'Running' && s.lastCheckpoint ? s : undefined;
    }, 60_000);
    expect(status.jobState).toBe('RUNNING');
    // The operator's own pod runs in this namespace too, admitted under `restricted`.
    expect(await ok('kubectl', 'get', 'pods', '-l', `app.kubernetes.io/instance=${RELEASE}`, '-o', 'jsonpath={.items[*].status.phase}')).toBe('Running');
  }, 240_000);

  it('refuses an update that adds a forbidden field, and lets through updates that keep the pod templates', async () => {
    const patched = await cluster.kubectl(['patch', 'sj', 'counting', '--type=merge', '-p', JSON.stringify({ spec: { jobManager: { podTemplate: { spec: { hostPID: true } } } } })]);
    expect([patched.code, patched.stdout, patched.stderr]).toEqual([1, '', `Error from server (Forbidden): streamjobs.sluice.dev "counting" is forbidden: ${denied(`spec.jobManager.podTemplate.spec.hostPID is true: ${WHY.hostNamespace}`)}\n`]);
    expect(await ok('kubectl', 'label', 'sj', 'counting', 'reviewed=yes')).toBe('streamjob.sluice.dev/counting labeled\n');
    expect(await ok('kubectl', 'get', 'sj', 'counting', '-o', 'jsonpath={.spec.jobManager.podTemplate}')).toBe('{"metadata":{"labels":{"team":"analytics"}}}');
  });

  it('is not rendered or installed with admissionPolicy.enabled=false', async () => {
    const kinds = async (...flags: string[]) =>
      parseAllDocuments(await ok('helm', 'template', RELEASE, chart, '-n', NAMESPACE, ...flags)).map((d) => (d.toJS() as { kind: string } | null)?.kind).filter((k) => k !== undefined);
    expect(await kinds()).toEqual(expect.arrayContaining(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']));
    const disabled = await kinds('--set', 'admissionPolicy.enabled=false');
    expect(disabled).not.toContain('ValidatingAdmissionPolicy');
    expect(disabled).not.toContain('ValidatingAdmissionPolicyBinding');

    expect(await ok('helm', 'upgrade', RELEASE, chart, '-n', NAMESPACE, ...helmValues, '--set', 'admissionPolicy.enabled=false', '--wait', '--timeout=120s')).toContain('STATUS: deployed');
    for (const kind of ['validatingadmissionpolicy', 'validatingadmissionpolicybinding']) {
      const got = await cluster.kubectl(['get', kind, POLICY]);
      expect([got.code, got.stderr]).toEqual([1, `Error from server (NotFound): ${kind.replace(/y$/, 'ie')}s.admissionregistration.k8s.io "${POLICY}" not found\n`]);
    }
    // The API server stops enforcing a deleted policy a moment later: the first acceptance shows it.
    const accepted = await eventually('the privileged StreamJob accepted', async () => {
      const r = await applyJob(privilegedJob(), '--dry-run=server');
      return r.code === 0 ? r : undefined;
    }, 30_000);
    expect([accepted.stdout, accepted.stderr]).toEqual(['streamjob.sluice.dev/probe created (server dry run)\n', '']);
  }, 180_000);
});
