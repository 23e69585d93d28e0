import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { stringify } from 'yaml';
import type { CommandResult } from '../../support/command.ts';
import { useCluster, type E2eCluster } from '../support/cluster.ts';
import { applyStreamJobCrd } from '../support/stream-job-crd.ts';
import { captureGitOpsHealth, gitOpsHealth, healthSequence, StreamJobHistory } from '../support/gitops-health.ts';
import { deriveRunKey, parseRunKey, restToken } from '../../../runtime/rest/run-key.ts';
import { expectedLines } from './fixtures/exactly-once-counting-job.ts';
import { RELEASE, SERVICE_ACCOUNT, chart, eventually, releaseRules, uninstallOperator } from './operator-harness.ts';

// Issue 6, item 1, on the real control plane with the process kubelet and MinIO: helm installs the
// operator, whose pod runs operator/main.ts in-cluster under the chart's ServiceAccount and exactly
// its rules; kubectl applies a StreamJob; the operator's pods run the real runtime (sluice
// jobmanager/taskmanager); checkpoints land in MinIO, in this file's own bucket; the StreamJob becomes
// Ready. The release lives in this file's namespace and watches only it: nothing cluster-wide.
const NAMESPACE = 'e2e-operator';
const BUCKET = 'e2e-operator';
let cluster: E2eCluster;
let s3: S3Client;
let helmInstall: string;

async function ok(tool: 'kubectl' | 'helm', ...args: string[]): Promise<string> {
  const result: CommandResult = tool === 'kubectl' ? await cluster.kubectl(args) : await cluster.helm(args);
  if (result.code !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

const apply = (manifest: object) => cluster.kubectlOk(['apply', '-f', '-'], stringify(manifest));

const sjStatus = async (name: string) => JSON.parse((await ok('kubectl', 'get', 'sj', name, '-o', 'jsonpath={.status}')) || '{}');

/**
 * The REST bearer token of a run, derived as the operator derives it (runtime/rest/run-key.ts) from the
 * operator's key, which the chart made (read here as the admin): a JobManager answers nothing else.
 */
const restAuth = async (jobId: string) => {
  const key = await ok('kubectl', 'get', 'secret', 'sluice-operator-operator-key', '-o', 'jsonpath={.data.operator-key}');
  return { authorization: `Bearer ${restToken(deriveRunKey(parseRunKey(Buffer.from(key, 'base64').toString()), jobId))}` };
};

const operatorPodName = async () => (await ok('kubectl', 'get', 'pods', '-l', 'app.kubernetes.io/name=sluice-operator', '-o', 'jsonpath={.items[0].metadata.name}')).trim();

// One operator for every test of this file (start-up costs time).
beforeAll(async () => {
  cluster = await useCluster(NAMESPACE);
  s3 = new S3Client({ endpoint: cluster.s3.endpoint, region: cluster.s3.region, forcePathStyle: true, credentials: { accessKeyId: cluster.s3.accessKeyId, secretAccessKey: cluster.s3.secretAccessKey } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await applyStreamJobCrd(cluster);
  // Without the chart's admission policy: the exactly-once job below writes its output to a hostPath
  // volume, which the policy refuses (test/e2e/admission/ shows the policy).
  helmInstall = await ok('helm', 'install', RELEASE, chart, '-n', NAMESPACE, '--skip-crds', '--set', 'replicas=1', '--set', `watchNamespaces={${NAMESPACE}}`, '--set', 'admissionPolicy.enabled=false', '--wait', '--timeout=120s');
  await ok('kubectl', 'create', 'secret', 'generic', 'minio-creds', `--from-literal=AWS_ACCESS_KEY_ID=${cluster.s3.accessKeyId}`, `--from-literal=AWS_SECRET_ACCESS_KEY=${cluster.s3.secretAccessKey}`);
}, 180_000);

afterAll(async () => {
  await uninstallOperator(cluster, RELEASE);
  s3?.destroy();
  await cluster?.release();
}, 90_000);

describe('helm install → kubectl apply → a running, checkpointing, Ready StreamJob', () => {
  it('runs the job in pods with checkpoints in S3', async () => {
    expect(helmInstall).toContain('STATUS: deployed');
    const manifest = {
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'StreamJob',
      metadata: { name: 'counting' },
      spec: {
        image: 'ghcr.io/sluice-dev/sluice-runtime:0.1.0',
        job: { entry: 'test/e2e/operator/fixtures/counting-job.ts', parallelism: 2 },
        taskManager: { replicas: 2, slots: 1 },
        checkpointing: {
          interval: '1s',
          storage: { s3: { endpoint: cluster.s3.clusterEndpoint, bucket: BUCKET, prefix: 'e2e', region: cluster.s3.region, forcePathStyle: true, credentialsSecret: 'minio-creds' } },
        },
      },
    };
    await apply(manifest);
    expect(await ok('kubectl', 'wait', '--for=condition=Ready', 'sj/counting', '--timeout=150s')).toBe('streamjob.sluice.dev/counting condition met\n');
    const pods = await ok('kubectl', 'get', 'pods', '-l', 'sluice.dev/job=counting', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}');
    expect(pods.trim().split(' ').sort()).toEqual(['counting-jobmanager=Running', 'counting-taskmanager-0=Running', 'counting-taskmanager-1=Running']);
    // The operator's pod and the job's pods all pass Pod Security `restricted`: the API server would
    // warn about each existing pod that violates it if the namespace enforced it.
    const restricted = await cluster.kubectl(['label', 'namespace', NAMESPACE, 'pod-security.kubernetes.io/enforce=restricted', '--dry-run=server', '--overwrite']);
    expect([restricted.code, restricted.stdout, restricted.stderr]).toEqual([0, `namespace/${NAMESPACE} labeled (server dry run)\n`, '']);
    const status = await eventually('a completed checkpoint in status', async () => {
      const s = await sjStatus('counting');
      return s.lastCheckpoint ? s : undefined;
    }, 60_000);
    expect(status.phase).toBe('Running');
    expect(status.jobState).toBe('RUNNING');
    const uid = (await ok('kubectl', 'get', 'sj', 'counting', '-o', 'jsonpath={.metadata.uid}')).trim();
    expect(status.jobId).toBe(`${uid}-1`);
    expect(status.lastCheckpoint.path).toContain(`e2e/${NAMESPACE}/counting/${uid}-1/checkpoints/chk-`);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `e2e/${NAMESPACE}/counting/${uid}-1/checkpoints/` }));
    expect((listed.Contents ?? []).some((o) => /chk-\d+\/_metadata$/.test(o.Key!))).toBe(true);
    const table = await ok('kubectl', 'get', 'sj', 'counting');
    const [header, row] = table.trim().split('\n');
    expect(header).toMatch(/^NAME\s+PHASE\s+PARALLELISM\s+LAST CHECKPOINT\s+RESTARTS\s+AGE/);
    expect(row).toMatch(/^counting\s+Running\s+2\s+\d+\s+0\s+/);
  }, 300_000);

  it('re-creates a deleted JobManager pod, whose JobManager resumes from the run\'s newest checkpoint', async () => {
    const before = JSON.parse(await ok('kubectl', 'get', 'pod', 'counting-jobmanager', '-o', 'jsonpath={.metadata}'));
    await ok('kubectl', 'delete', 'pod', 'counting-jobmanager', '--wait=false');
    const pod = await eventually('a new JobManager pod with an address', async () => {
      const p = JSON.parse(await ok('kubectl', 'get', 'pod', 'counting-jobmanager', '-o', 'json'));
      return p.metadata.uid !== before.uid && p.status.podIP && p.status.phase === 'Running' ? p : undefined;
    }, 90_000);
    const jobId = (await sjStatus('counting')).jobId;
    const headers = await restAuth(jobId);
    const restored = await eventually('the restored checkpoint reported by the new JobManager', async () => {
      const response = await fetch(`http://${pod.status.podIP}:8081/jobs/${jobId}/checkpoints`, { headers });
      const stats = (await response.json()) as { latest: { restored: { externalPath: string; isSavepoint: boolean } | null } };
      return stats.latest.restored ?? undefined;
    }, 90_000);
    expect(restored.isSavepoint).toBe(false);
    expect(restored.externalPath).toContain(`/${jobId}/checkpoints/chk-`);
    // Without the run's token, the JobManager answers 401 and nothing else.
    const refused = await fetch(`http://${pod.status.podIP}:8081/jobs/${jobId}/checkpoints`);
    expect(refused.status).toBe(401);
    expect(await ok('kubectl', 'wait', '--for=condition=Ready', 'sj/counting', '--timeout=120s')).toBe('streamjob.sluice.dev/counting condition met\n');
    expect(JSON.parse(await ok('kubectl', 'get', 'sj', 'counting', '-o', 'jsonpath={.status.run}')).number).toBe(1);
  }, 200_000);

  it('takes a savepoint when savepointTriggerNonce changes', async () => {
    await ok('kubectl', 'patch', 'sj', 'counting', '--type=merge', '-p', '{"spec":{"job":{"savepointTriggerNonce":1}}}');
    const savepoints = await eventually('a manual savepoint', async () => {
      const s = JSON.parse(await ok('kubectl', 'get', 'sj', 'counting', '-o', 'jsonpath={.status.savepoints}'));
      return s.last ? s : undefined;
    }, 60_000);
    expect(savepoints.last).toMatchObject({ trigger: 'manual', triggerNonce: 1 });
    expect(savepoints.last.path).toContain(`e2e/${NAMESPACE}/counting/savepoints/sp-`);
    expect(savepoints.observedTriggerNonce).toBe(1);
    expect(savepoints.pending).toBeUndefined();
  }, 120_000);

  /** Until the newest version the watch saw is run `run` Healthy in Argo CD (Running, Ready, a recent checkpoint). */
  const healthyRun = (history: StreamJobHistory, run: number) =>
    eventually(`run ${run} Healthy`, async () => {
      const latest = history.latest();
      return (latest?.status?.run as { number?: number } | undefined)?.number === run && (await gitOpsHealth(latest!)).argocd.status === 'Healthy' ? true : undefined;
    }, 60_000);

  it('upgrades with a savepoint: run 2 starts from it and runs', async () => {
    // Issue 15 item 7: every version of the StreamJob the operator writes, as Argo CD and Flux read it.
    const history = await StreamJobHistory.watch(cluster, 'counting');
    await ok('kubectl', 'patch', 'sj', 'counting', '--type=merge', '-p', '{"spec":{"job":{"upgradeMode":"savepoint","parallelism":1}}}');
    const status = await eventually('run 2 Running', async () => {
      const s = await sjStatus('counting');
      return s.run?.number === 2 && s.phase === 'Running' && s.upgrade === undefined ? s : undefined;
    }, 150_000);
    expect(status.savepoints.last.trigger).toBe('upgrade');
    expect(status.run.restorePath).toBe(status.savepoints.last.path);
    expect(await ok('kubectl', 'get', 'pod', 'counting-jobmanager', '-o', 'jsonpath={.metadata.annotations.sluice\\.dev/run}')).toBe('2');
    const events = await ok('kubectl', 'get', 'events', '--field-selector', 'involvedObject.name=counting', '-o', 'jsonpath={.items[*].reason}');
    expect(events.split(' ')).toEqual(expect.arrayContaining(['Upgrading', 'SavepointCompleted', 'Upgraded']));
    await healthyRun(history, 2);
    expect(await healthSequence(history.stop())).toEqual({ argocd: ['Healthy', 'Progressing', 'Healthy'], kstatus: ['Current', 'InProgress', 'Current'] });
  }, 180_000);

  it('finishes an upgrade whose operator was SIGKILLed in the middle of it', async () => {
    await eventually('a checkpoint of run 2', async () => ((await sjStatus('counting')).lastCheckpoint ? true : undefined), 60_000);
    const operatorPod = await operatorPodName();
    await ok('kubectl', 'patch', 'sj', 'counting', '--type=merge', '-p', '{"spec":{"job":{"parallelism":2}}}');
    const step = await eventually('the upgrade under way', async () => {
      const s = await sjStatus('counting');
      return s.upgrade?.step;
    }, 30_000);
    expect(['Stopping', 'TearingDown', 'Deploying']).toContain(step);
    expect(await cluster.killPod(operatorPod)).toBeGreaterThan(0);
    const status = await eventually('run 3 Running', async () => {
      const s = await sjStatus('counting');
      return s.run?.number === 3 && s.phase === 'Running' && s.upgrade === undefined ? s : undefined;
    }, 150_000);
    // Killed before the savepoint: stop with savepoint again or, if the job was already stopping, its
    // savepoint or newest checkpoint; never an empty start.
    const uid = (await ok('kubectl', 'get', 'sj', 'counting', '-o', 'jsonpath={.metadata.uid}')).trim();
    if (status.run.restorePath !== status.savepoints.last.path) expect(status.run.restorePath).toMatch(new RegExp(`/${uid}-2/checkpoints/chk-\\d+$`));
    else expect(status.savepoints.last.trigger).toBe('upgrade');
    expect(Number(await ok('kubectl', 'get', 'pod', operatorPod, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'))).toBeGreaterThanOrEqual(1);
  }, 200_000);

  it('upgrades in last-state mode from the newest completed checkpoint of the previous run', async () => {
    const uid = (await ok('kubectl', 'get', 'sj', 'counting', '-o', 'jsonpath={.metadata.uid}')).trim();
    await eventually('a completed checkpoint of run 3', async () => {
      const path = await ok('kubectl', 'get', 'sj', 'counting', '-o', 'jsonpath={.status.lastCheckpoint.path}');
      return path.includes(`/${uid}-3/checkpoints/`) ? path : undefined;
    }, 60_000);
    await ok('kubectl', 'patch', 'sj', 'counting', '--type=merge', '-p', '{"spec":{"job":{"upgradeMode":"last-state","parallelism":1}}}');
    const status = await eventually('run 4 Running', async () => {
      const s = await sjStatus('counting');
      return s.run?.number === 4 && s.phase === 'Running' && s.upgrade === undefined ? s : undefined;
    }, 150_000);
    expect(status.run.restorePath).toMatch(new RegExp(`/${uid}-3/checkpoints/chk-\\d+$`));
  }, 200_000);

  it('suspends with a savepoint and no pods, and resumes from it', async () => {
    const history = await StreamJobHistory.watch(cluster, 'counting');
    await healthyRun(history, 4);
    history.forget();
    await ok('kubectl', 'patch', 'sj', 'counting', '--type=merge', '-p', '{"spec":{"job":{"state":"suspended"}}}');
    const suspended = await eventually('Suspended', async () => {
      const s = await sjStatus('counting');
      return s.phase === 'Suspended' ? s : undefined;
    }, 120_000);
    expect(suspended.savepoints.last.trigger).toBe('suspend');
    expect(await ok('kubectl', 'get', 'pods', '-l', 'sluice.dev/job=counting', '-o', 'name')).toBe('');
    const { argocd, kstatus } = await captureGitOpsHealth(cluster, 'counting');
    expect({ argocd, kstatus }).toEqual({
      argocd: { status: 'Suspended', message: 'The job is suspended; set spec.job.state to running to resume it' },
      kstatus: { status: 'Current', message: 'Resource is Ready' },
    });
    await ok('kubectl', 'patch', 'sj', 'counting', '--type=merge', '-p', '{"spec":{"job":{"state":"running"}}}');
    const resumed = await eventually('run 5 Running', async () => {
      const s = await sjStatus('counting');
      return s.run?.number === 5 && s.phase === 'Running' ? s : undefined;
    }, 150_000);
    expect(resumed.run.restorePath).toBe(suspended.savepoints.last.path);
    await healthyRun(history, 5);
    expect(await healthSequence(history.stop())).toEqual({
      argocd: ['Healthy', 'Progressing', 'Suspended', 'Progressing', 'Healthy'],
      kstatus: ['Current', 'InProgress', 'Current', 'InProgress', 'Current'],
    });
  }, 300_000);

  it('deletes every pod, the Service and the ConfigMap, then the StreamJob', async () => {
    await ok('kubectl', 'delete', 'sj', 'counting', '--timeout=120s');
    expect(await ok('kubectl', 'get', 'pods,services,configmaps', '-l', 'sluice.dev/job=counting', '-o', 'name')).toBe('');
  }, 150_000);
});

// Issue 6, items 2 and 3: one bounded job (fixtures/exactly-once-counting-job.ts) whose committed
// output is compared with the expected output exactly, through a TaskManager process SIGKILLed, the
// JobManager pod deleted, a savepoint upgrade and a last-state upgrade; then a stateless upgrade.
describe('exactly-once output through pod failures and upgrades', () => {
  const COUNT = 600;
  // Records per second of the whole source: 30 s of records, enough for two faults and two upgrades.
  const RATE = 20;
  let output: string; // hostPath volume, mounted at /output in the TaskManager pods
  const entry = 'test/e2e/operator/fixtures/exactly-once-counting-job.ts';
  let uid: string;

  type Stats = { counts: { restored: number }; latest: { completed: { id: number } | null; restored: { id: number; isSavepoint: boolean; externalPath: string } | null } };
  const jobManagerIp = async () => (await ok('kubectl', 'get', 'pod', 'exact-jobmanager', '-o', 'jsonpath={.status.podIP}')).trim();
  const checkpointStats = async (ip: string, jobId: string) => (await (await fetch(`http://${ip}:8081/jobs/${jobId}/checkpoints`, { headers: await restAuth(jobId) })).json()) as Stats;
  const jobState = async (ip: string, jobId: string) => ((await (await fetch(`http://${ip}:8081/jobs/${jobId}`, { headers: await restAuth(jobId) })).json()) as { state: string }).state;
  /** The sink's committed lines: published parts only (in-progress parts are dot-files). */
  const committed = (directory: string) =>
    readdirSync(directory)
      .filter((f) => !f.startsWith('.'))
      .flatMap((f) => readFileSync(join(directory, f), 'utf8').split('\n').filter((l) => l !== ''))
      .sort();
  const waitForRun = (number: number, phase: string, timeoutMs = 150_000) =>
    eventually(`run ${number} ${phase}`, async () => {
      const s = await sjStatus('exact');
      return s.run?.number === number && s.phase === phase && s.upgrade === undefined ? s : undefined;
    }, timeoutMs);

  it('resumes from the newest completed checkpoint after a TaskManager process is SIGKILLed and after the JobManager pod is deleted', async () => {
    output = join(cluster.dir, `${NAMESPACE}-output`);
    rmSync(output, { recursive: true, force: true });
    mkdirSync(output, { recursive: true });
    chmodSync(output, 0o777); // the pods run as the runtime's non-root user
    await apply({
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'StreamJob',
      metadata: { name: 'exact' },
      spec: {
        image: 'ghcr.io/sluice-dev/sluice-runtime:0.1.0',
        job: { entry, args: ['/output/main', String(COUNT), String(RATE)], parallelism: 2, upgradeMode: 'savepoint' },
        taskManager: {
          replicas: 2,
          slots: 1,
          podTemplate: {
            spec: {
              volumes: [{ name: 'output', hostPath: { path: output, type: 'Directory' } }],
              containers: [{ name: 'taskmanager', volumeMounts: [{ name: 'output', mountPath: '/output' }] }],
            },
          },
        },
        checkpointing: {
          interval: '1s',
          storage: { s3: { endpoint: cluster.s3.clusterEndpoint, bucket: BUCKET, prefix: 'exact', region: cluster.s3.region, forcePathStyle: true, credentialsSecret: 'minio-creds' } },
        },
      },
    });
    uid = (await ok('kubectl', 'get', 'sj', 'exact', '-o', 'jsonpath={.metadata.uid}')).trim();
    const jobId = `${uid}-1`;
    await eventually('run 1 Running with a completed checkpoint', async () => {
      const s = await sjStatus('exact');
      return s.phase === 'Running' && s.lastCheckpoint ? s : undefined;
    }, 150_000);

    // A TaskManager's process SIGKILLed (the pod object stays): the JobManager restarts the job from
    // its newest completed checkpoint once the kubelet has restarted the container.
    const ip = await jobManagerIp();
    const beforeKill = (await checkpointStats(ip, jobId)).latest.completed!.id;
    const tmUid = (await ok('kubectl', 'get', 'pod', 'exact-taskmanager-0', '-o', 'jsonpath={.metadata.uid}')).trim();
    expect(await cluster.killPod('exact-taskmanager-0')).toBeGreaterThan(0);
    const afterKill = await eventually('a restore after the TaskManager was killed', async () => {
      const stats = await checkpointStats(ip, jobId);
      return stats.counts.restored >= 1 && (await jobState(ip, jobId)) === 'RUNNING' ? stats : undefined;
    }, 90_000);
    expect(afterKill.counts.restored).toBe(1);
    expect(afterKill.latest.restored!.isSavepoint).toBe(false);
    expect(afterKill.latest.restored!.id).toBeGreaterThanOrEqual(beforeKill);
    expect(afterKill.latest.restored!.externalPath).toContain(`/${jobId}/checkpoints/chk-`);
    const tm = JSON.parse(await ok('kubectl', 'get', 'pod', 'exact-taskmanager-0', '-o', 'json'));
    expect(tm.metadata.uid).toBe(tmUid);
    expect(tm.status.containerStatuses[0].restartCount).toBe(1);

    // The JobManager pod deleted: the operator re-creates it, and the new JobManager restores the
    // run's newest completed checkpoint, which is at least the one completed after the first restore.
    const beforeDelete = await eventually('a checkpoint completed after the restore', async () => {
      const stats = await checkpointStats(ip, jobId);
      return stats.latest.completed!.id > afterKill.latest.restored!.id ? stats.latest.completed!.id : undefined;
    }, 30_000);
    expect(await jobState(ip, jobId)).toBe('RUNNING'); // the faults hit a job that still has records to read
    const jmUid = (await ok('kubectl', 'get', 'pod', 'exact-jobmanager', '-o', 'jsonpath={.metadata.uid}')).trim();
    await ok('kubectl', 'delete', 'pod', 'exact-jobmanager', '--wait=false');
    const restored = await eventually('the new JobManager restored', async () => {
      const pod = JSON.parse(await ok('kubectl', 'get', 'pod', 'exact-jobmanager', '-o', 'json'));
      if (pod.metadata.uid === jmUid || !pod.status.podIP) return undefined;
      const stats = await checkpointStats(pod.status.podIP, jobId);
      return stats.latest.restored ?? undefined;
    }, 90_000);
    expect(restored.isSavepoint).toBe(false);
    expect(restored.id).toBeGreaterThanOrEqual(beforeDelete);
    expect(restored.externalPath).toContain(`/${jobId}/checkpoints/chk-`);
    expect((await sjStatus('exact')).run.number).toBe(1);
  }, 300_000);

  it('carries state and source position through a savepoint and a last-state upgrade: the committed output is exactly the expected output', async () => {
    await eventually('run 1 Running again', async () => ((await sjStatus('exact')).phase === 'Running' ? true : undefined), 60_000);
    // Rescaled from 2 to 1 with a savepoint and back to 2 from the newest checkpoint: the keyed counts,
    // the source's position and the sink's pending parts move between subtasks.
    await ok('kubectl', 'patch', 'sj', 'exact', '--type=merge', '-p', JSON.stringify({ spec: { job: { parallelism: 1 } } }));
    const run2 = await waitForRun(2, 'Running');
    expect(run2.savepoints.last.trigger).toBe('upgrade');
    expect(run2.run.restorePath).toBe(run2.savepoints.last.path);
    await eventually('a completed checkpoint of run 2', async () => ((await sjStatus('exact')).lastCheckpoint?.path.includes(`/${uid}-2/checkpoints/`) ? true : undefined), 60_000);
    await ok('kubectl', 'patch', 'sj', 'exact', '--type=merge', '-p', JSON.stringify({ spec: { job: { upgradeMode: 'last-state', parallelism: 2 } } }));
    const run3 = await eventually('run 3 deployed', async () => {
      const s = await sjStatus('exact');
      return s.run?.number === 3 && s.upgrade === undefined ? s : undefined;
    }, 150_000);
    expect(run3.run.restorePath).toMatch(new RegExp(`/${uid}-2/checkpoints/chk-\\d+$`));
    const finished = await waitForRun(3, 'Finished');
    expect(finished.jobState).toBe('FINISHED');
    expect(committed(join(output, 'main'))).toEqual(expectedLines(COUNT));
  }, 300_000);

  it('starts a stateless upgrade from empty state and the source\'s beginning', async () => {
    const count = 80;
    await ok('kubectl', 'patch', 'sj', 'exact', '--type=merge', '-p', JSON.stringify({ spec: { job: { upgradeMode: 'stateless', args: ['/output/fresh', String(count), '40'] } } }));
    const finished = await waitForRun(4, 'Finished');
    expect(finished.run.restorePath).toBeUndefined();
    expect(committed(join(output, 'fresh'))).toEqual(expectedLines(count));
    expect(committed(join(output, 'main'))).toEqual(expectedLines(COUNT));
    await ok('kubectl', 'delete', 'sj', 'exact', '--timeout=120s');
    expect(await ok('kubectl', 'get', 'pods,services,configmaps', '-l', 'sluice.dev/job=exact', '-o', 'name')).toBe('');
  }, 200_000);
});

// Issue 10, item 7: the operator pod ran everything above with exactly the rules the chart gave its
// ServiceAccount; the real authorizer refused none of its requests.
describe('the operator pod under the chart\'s RBAC', () => {
  it('made only requests that the release\'s Roles allow, none refused', async () => {
    const rules = await releaseRules(cluster);
    const user = `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`;
    const requests = cluster.auditEvents().filter((e) => e.user.username === user && e.stage !== 'ResponseStarted' && e.objectRef !== undefined);
    expect(requests.length).toBeGreaterThan(0);
    const resource = (e: (typeof requests)[number]) => (e.objectRef!.subresource ? `${e.objectRef!.resource}/${e.objectRef!.subresource}` : e.objectRef!.resource!);
    const outside = requests.filter(
      (e) =>
        !rules.some(
          (rule) =>
            rule.apiGroups.includes(e.objectRef!.apiGroup ?? '') &&
            rule.resources.includes(resource(e)) &&
            rule.verbs.includes(e.verb) &&
            (rule.resourceNames === undefined || (e.objectRef!.name !== undefined && rule.resourceNames.includes(e.objectRef!.name))),
        ),
    );
    expect(outside.map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);
    expect(requests.filter((e) => e.responseStatus?.code === 403).map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);
  });
});
