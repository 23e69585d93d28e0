import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { deriveRunKey, parseRunKey } from '../../../runtime/rest/run-key.ts';
import { LEASE, SERVICE_ACCOUNT, eventually, root, startOperatorHarness } from './operator-harness.ts';
import type { OperatorHarness, OperatorProcess, Rule } from './operator-harness.ts';
import type { AuditEvent } from '../support/cluster.ts';

// Operator processes outside the cluster, authenticated as the chart's ServiceAccount under exactly
// the chart's rules, against the real control plane, driven with the real kubectl. The StreamJobs'
// pods select a node that does not exist, so they stay Pending: the reconciler's object handling is
// all this file tests (the JobManager is never reachable); e2e.test.ts runs them.
const NAMESPACE = 'e2e-operator-processes';
let harness: OperatorHarness;
let leader: OperatorProcess;
/** The standby that takes over from `leader`. */
let second: OperatorProcess;

const streamJob = parseAllDocuments(readFileSync(join(root, 'examples/wordcount.yaml'), 'utf8')).map((d) => d.toJS()).find((d) => d.kind === 'StreamJob');

/** A StreamJob whose pods stay Pending, or (`scheduled`) go to the sandbox's kubelet. */
function jobManifest(name: string, change: (spec: any) => void = () => {}, scheduled = false): string { // eslint-disable-line @typescript-eslint/no-explicit-any
  const manifest = structuredClone(streamJob);
  manifest.metadata = { name };
  const pending = { spec: { nodeSelector: { 'sluice.dev/e2e-node': 'none' } } };
  if (!scheduled) {
    manifest.spec.jobManager.podTemplate = pending;
    manifest.spec.taskManager.podTemplate = pending;
  }
  change(manifest.spec);
  return stringify(manifest);
}

const kubectlOk = (args: string[], stdin?: string) => harness.cluster.kubectlOk(args, stdin);
const operatorKey = () => parseRunKey(readFileSync(join(harness.dir, 'operator-key'), 'utf8'));

async function json(args: string[]): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(await kubectlOk([...args, '-o', 'json']));
}

async function podNames(job: string): Promise<string[]> {
  const list = await json(['get', 'pods', '-l', `sluice.dev/job=${job}`]);
  return list.items.filter((p: any) => !p.metadata.deletionTimestamp).map((p: any) => p.metadata.name).sort(); // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function status(job: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return (await json(['get', 'sj', job])).status ?? {};
}

/**
 * Resource requests (group/resource:verb) the scenarios of this file make the operator send; each
 * must be allowed by a rule of the chart. Others it may send too (an Event's count patched, a fresh
 * read of a StreamJob after a conflict) depend on timing.
 */
const USED = [
  '/configmaps:delete', '/configmaps:list', '/configmaps:patch', '/configmaps:watch', '/events:create',
  '/pods:create', '/pods:delete', '/pods:list', '/pods:watch', '/secrets:create', '/secrets:delete',
  '/services:delete', '/services:list', '/services:patch', '/services:watch',
  'networking.k8s.io/networkpolicies:delete', 'networking.k8s.io/networkpolicies:list', 'networking.k8s.io/networkpolicies:patch', 'networking.k8s.io/networkpolicies:watch',
  'coordination.k8s.io/leases:create', 'coordination.k8s.io/leases:get', 'coordination.k8s.io/leases:update',
  'sluice.dev/streamjobs/status:update', 'sluice.dev/streamjobs:list', 'sluice.dev/streamjobs:patch', 'sluice.dev/streamjobs:watch',
];

const condition = (s: any, type: string) => s.conditions?.find((c: any) => c.type === type); // eslint-disable-line @typescript-eslint/no-explicit-any

/** The operator's requests so far, as the API server's audit log saw them (one event per completed request). */
const operatorRequests = (): AuditEvent[] => harness.cluster.auditEvents().filter((e) => e.user.username === harness.user && e.stage !== 'ResponseStarted');
const resourceOf = (e: AuditEvent) => (e.objectRef!.subresource ? `${e.objectRef!.resource}/${e.objectRef!.subresource}` : e.objectRef!.resource!);

beforeAll(async () => {
  harness = await startOperatorHarness(NAMESPACE);
  // Pod Security admission refuses any pod of the operator's that is not `restricted`.
  await kubectlOk(['label', 'namespace', NAMESPACE, 'pod-security.kubernetes.io/enforce=restricted']);
  leader = await harness.startOperator('operator-a');
  await kubectlOk(['create', 'secret', 'generic', 'minio-creds', '--from-literal=AWS_ACCESS_KEY_ID=unused', '--from-literal=AWS_SECRET_ACCESS_KEY=unused']);
}, 120_000);

afterAll(async () => {
  await harness?.stop();
}, 60_000);

describe('operator processes on the real API server, under the chart\'s RBAC', () => {
  it('creates the ConfigMap, Service and pods of a StreamJob with owner references, labels and a status', async () => {
    await kubectlOk(['apply', '-f', '-'], jobManifest('wordcount'));
    const pods = await eventually('three pods', async () => {
      const names = await podNames('wordcount');
      return names.length === 3 ? names : undefined;
    }, 60_000);
    expect(pods).toEqual(['wordcount-jobmanager', 'wordcount-taskmanager-0', 'wordcount-taskmanager-1']);
    expect((await json(['get', 'namespace', NAMESPACE])).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const sj = await json(['get', 'sj', 'wordcount']);
    expect(sj.metadata.finalizers).toEqual(['sluice.dev/finalizer']);
    const owner = { apiVersion: 'sluice.dev/v1alpha1', kind: 'StreamJob', name: 'wordcount', uid: sj.metadata.uid, controller: true, blockOwnerDeletion: true };
    const objects = await json(['get', 'pods,services,configmaps', '-l', 'app.kubernetes.io/managed-by=sluice-operator']);
    expect(objects.items.map((o: any) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([ // eslint-disable-line @typescript-eslint/no-explicit-any
      'ConfigMap/wordcount-config',
      'Pod/wordcount-jobmanager',
      'Pod/wordcount-taskmanager-0',
      'Pod/wordcount-taskmanager-1',
      'Service/wordcount-jobmanager',
    ]);
    for (const object of objects.items) {
      expect(object.metadata.ownerReferences).toEqual([owner]);
      expect(object.metadata.labels['sluice.dev/job']).toBe('wordcount');
    }
    const jm = objects.items.find((o: any) => o.metadata.name === 'wordcount-jobmanager' && o.kind === 'Pod'); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(jm.metadata.labels['sluice.dev/component']).toBe('jobmanager');
    expect(jm.spec.containers[0].command).toEqual(['node', 'runtime/cli/bin.js', 'jobmanager', '--config', '/etc/sluice/config/sluice.yaml']);
    // The run's key: a Secret the operator created (and cannot read back), mounted read-only into every pod.
    const key = await json(['get', 'secret', 'wordcount-run-1-key']);
    expect(key.metadata.ownerReferences).toEqual([owner]);
    expect(key.immutable).toBe(true);
    expect(Buffer.from(key.data['run-key'], 'base64').toString()).toBe(deriveRunKey(operatorKey(), `${sj.metadata.uid}-1`).toString('hex'));
    for (const pod of objects.items.filter((o: any) => o.kind === 'Pod')) { // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(pod.spec.volumes.find((v: any) => v.name === 'run-key').secret).toEqual({ secretName: 'wordcount-run-1-key', defaultMode: 0o400, items: [{ key: 'run-key', path: 'run-key' }] }); // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: 'run-key', mountPath: '/etc/sluice/run-key', readOnly: true });
    }
    const config = parse((await json(['get', 'configmap', 'wordcount-config'])).data['sluice.yaml']);
    expect(config.security).toEqual({ runKeyFile: '/etc/sluice/run-key/run-key' });
    // The NetworkPolicies as the API server stores them (the sandbox does not enforce them: the objects are what is tested).
    const policies = await eventually('two NetworkPolicies', async () => {
      const list = await json(['get', 'networkpolicies', '-l', 'sluice.dev/job=wordcount']);
      return list.items.length === 2 ? list.items : undefined;
    });
    const selector = (component: string) => ({ matchLabels: { 'app.kubernetes.io/managed-by': 'sluice-operator', 'sluice.dev/component': component, 'sluice.dev/job': 'wordcount' } });
    expect(policies.map((p: any) => [p.metadata.name, p.metadata.ownerReferences, p.spec])).toEqual([ // eslint-disable-line @typescript-eslint/no-explicit-any
      [
        'wordcount-jobmanager',
        [owner],
        {
          podSelector: selector('jobmanager'),
          policyTypes: ['Ingress'],
          ingress: [
            { from: [{ podSelector: selector('taskmanager') }], ports: [{ protocol: 'TCP', port: 6123 }] },
            { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACE } } }], ports: [{ protocol: 'TCP', port: 8081 }] },
          ],
        },
      ],
      ['wordcount-taskmanager', [owner], { podSelector: selector('taskmanager'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: selector('taskmanager') }], ports: [{ protocol: 'TCP', port: 6121 }] }] }],
    ]);
    const s = await eventually('status', async () => {
      const current = await status('wordcount');
      return current.jobId ? current : undefined;
    });
    expect(s).toMatchObject({
      phase: 'Deploying',
      observedGeneration: 1,
      jobId: `${sj.metadata.uid}-1`,
      run: { number: 1, restartNonce: 0 },
      taskManagers: { desired: 2, ready: 0, selector: 'app.kubernetes.io/managed-by=sluice-operator,sluice.dev/job=wordcount,sluice.dev/component=taskmanager' },
      jobManager: { ready: false, restUrl: `http://wordcount-jobmanager.${NAMESPACE}.svc:8081` },
    });
    expect(condition(s, 'Degraded')).toMatchObject({ status: 'False', reason: 'SpecValid' });
    expect(condition(s, 'Ready')).toMatchObject({ status: 'False', reason: 'JobManagerNotReady' });
    // Status went through the status subresource only; the spec was never written by the operator.
    const writes = operatorRequests().filter((e) => e.objectRef?.resource === 'streamjobs' && ['update', 'patch'].includes(e.verb));
    expect(writes.some((e) => e.objectRef!.subresource === 'status')).toBe(true);
    expect(sj.metadata.generation).toBe(1);
    const events = await json(['get', 'events', '--field-selector', 'involvedObject.name=wordcount']);
    expect(events.items.map((e: any) => e.reason)).toContain('Deploying'); // eslint-disable-line @typescript-eslint/no-explicit-any
  }, 90_000);

  // kubectl scale changes the parallelism (test/e2e/operator/scale.test.ts); an explicit replicas count adds or removes TaskManagers without a redeploy.
  it('follows an explicit taskManager.replicas with TaskManager pods', async () => {
    const replicas = (n: number) => kubectlOk(['patch', 'sj', 'wordcount', '--type=merge', '-p', JSON.stringify({ spec: { taskManager: { replicas: n } } })]);
    await replicas(3);
    await eventually('a third TaskManager', async () => ((await podNames('wordcount')).includes('wordcount-taskmanager-2') ? true : undefined), 30_000);
    expect((await status('wordcount')).taskManagers.desired).toBe(3);
    await replicas(2);
    expect(
      await eventually('two TaskManagers again', async () => {
        const names = await podNames('wordcount');
        return names.length === 3 ? names : undefined;
      }, 30_000),
    ).toEqual(['wordcount-jobmanager', 'wordcount-taskmanager-0', 'wordcount-taskmanager-1']);
    expect((await status('wordcount')).run.number).toBe(1);
  }, 60_000);

  it('re-creates a deleted pod', async () => {
    const before = (await json(['get', 'pod', 'wordcount-taskmanager-0'])).metadata.uid;
    await kubectlOk(['delete', 'pod', 'wordcount-taskmanager-0', '--wait=false']);
    const after = await eventually('a new wordcount-taskmanager-0', async () => {
      const result = await harness.cluster.kubectl(['get', 'pod', 'wordcount-taskmanager-0', '-o', 'jsonpath={.metadata.uid}']);
      return result.code === 0 && result.stdout !== '' && result.stdout !== before ? result.stdout : undefined;
    }, 30_000);
    expect(after).not.toBe(before);
  }, 60_000);

  it('converges the ConfigMap and the Service by server-side apply: fields others set are kept, its own are taken back', async () => {
    const configMapUid = (await json(['get', 'configmap', 'wordcount-config'])).metadata.uid;
    const serviceUid = (await json(['get', 'service', 'wordcount-jobmanager'])).metadata.uid;
    await kubectlOk(['label', 'configmap', 'wordcount-config', 'team=data']);
    await kubectlOk(['patch', 'configmap', 'wordcount-config', '--type=merge', '-p', '{"data":{"extra.yaml":"kept: true\\n","sluice.yaml":"tampered: true\\n"}}']);
    await kubectlOk(['annotate', 'service', 'wordcount-jobmanager', 'example.com/owner=ops']);
    // A spec change: run 2, whose ConfigMap and Service differ from run 1's.
    await kubectlOk(['patch', 'sj', 'wordcount', '--type=merge', '-p', '{"spec":{"job":{"parallelism":1}}}']);
    const [configMap, service] = await eventually('the ConfigMap and Service of run 2', async () => {
      const cm = await json(['get', 'configmap', 'wordcount-config', '--show-managed-fields']);
      const svc = await json(['get', 'service', 'wordcount-jobmanager', '--show-managed-fields']);
      return cm.metadata.annotations['sluice.dev/run'] === '2' && svc.metadata.annotations['sluice.dev/run'] === '2' ? [cm, svc] : undefined;
    }, 30_000);
    expect(configMap.metadata.uid).toBe(configMapUid);
    expect(configMap.metadata.labels.team).toBe('data');
    expect(configMap.data['extra.yaml']).toBe('kept: true\n');
    // The operator's own field, changed by someone else, is the operator's again (a forced apply).
    expect(configMap.data['sluice.yaml']).toContain('parallelism: 1\n');
    expect(configMap.data['sluice.yaml']).not.toContain('tampered');
    expect(service.metadata.uid).toBe(serviceUid);
    expect(service.metadata.annotations['example.com/owner']).toBe('ops');
    expect(service.spec.clusterIP).toBe('None');
    const managers = (o: any) => o.metadata.managedFields.map((m: any) => `${m.manager}:${m.operation}`).sort(); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(managers(configMap)).toEqual(['kubectl-label:Update', 'kubectl-patch:Update', 'sluice-operator:Apply']);
    expect(managers(service)).toEqual(['kubectl-annotate:Update', 'sluice-operator:Apply']);
    const writes = operatorRequests().filter((e) => (e.objectRef?.resource === 'configmaps' || e.objectRef?.resource === 'services') && !['list', 'watch'].includes(e.verb));
    expect([...new Set(writes.map((e) => `${e.objectRef!.resource}:${e.verb}`))].sort()).toEqual(['configmaps:patch', 'services:patch']);
    await eventually('run 2 pods', async () => ((await json(['get', 'pod', 'wordcount-jobmanager'])).metadata.annotations['sluice.dev/run'] === '2' ? true : undefined), 30_000);
    // Run 1's key went with its pods; run 2 has its own.
    expect((await harness.cluster.kubectl(['get', 'secret', 'wordcount-run-1-key'])).stderr).toContain('not found');
    expect((await json(['get', 'secret', 'wordcount-run-2-key'])).metadata.annotations['sluice.dev/run']).toBe('2');
  }, 60_000);

  it('reports a missing Secret, as the kubelet reports it, and too few slots (creating no pods) as Degraded', async () => {
    // Scheduled: the sandbox's kubelet keeps the containers waiting with CreateContainerConfigError
    // (the Secret their env names does not exist), which is how the operator, reading no Secrets, learns of it.
    await kubectlOk(['apply', '-f', '-'], jobManifest('no-secret', (spec) => (spec.checkpointing.storage.s3.credentialsSecret = 'absent'), true));
    // A short checkpoint timeout: a savepoint stop is retried that long before the fallback (suspend test below).
    await kubectlOk(['apply', '-f', '-'], jobManifest('no-slots', (spec) => Object.assign(spec, { job: { ...spec.job, parallelism: 4 }, taskManager: { ...spec.taskManager, replicas: 2 }, checkpointing: { ...spec.checkpointing, timeout: '5s' } })));
    const missing = await eventually('Degraded for the Secret', async () => {
      const degraded = condition(await status('no-secret'), 'Degraded');
      return degraded?.status === 'True' ? degraded : undefined;
    }, 60_000);
    expect(missing).toMatchObject({
      status: 'True',
      reason: 'CredentialsSecretNotFound',
      message: 'Secret "absent" named by checkpointing.storage.s3.credentialsSecret does not exist',
    });
    await kubectlOk(['delete', 'sj', 'no-secret', '--timeout=60s']);
    const slots = await eventually('Degraded for the slots', async () => condition(await status('no-slots'), 'Degraded'));
    expect(slots).toMatchObject({
      status: 'True',
      reason: 'InsufficientSlots',
      message: 'job.parallelism 4 needs 4 slots, but taskManager.replicas 2 × taskManager.slots 1 offer 2',
    });
    expect((await status('no-slots')).phase).toBe('Pending');
    expect(await podNames('no-slots')).toEqual([]);
    // Fixed by letting TaskManager pods follow the parallelism (replicas removed): deployed on 4.
    await kubectlOk(['patch', 'sj', 'no-slots', '--type=merge', '-p', '{"spec":{"taskManager":{"replicas":null}}}']);
    await eventually('pods of no-slots', async () => ((await podNames('no-slots')).length === 5 ? true : undefined), 30_000);
  }, 60_000);

  it('suspends (savepoint mode falls back when the JobManager cannot answer) and resumes as a new run', async () => {
    await kubectlOk(['patch', 'sj', 'no-slots', '--type=merge', '-p', '{"spec":{"job":{"state":"suspended"}}}']);
    const suspended = await eventually('Suspended', async () => {
      const s = await status('no-slots');
      return s.phase === 'Suspended' ? s : undefined;
    }, 30_000);
    expect(suspended.upgrade).toBeUndefined();
    expect(await eventually('no pods', async () => ((await podNames('no-slots')).length === 0 ? true : undefined))).toBe(true);
    // The run's key went with its pods.
    expect((await json(['get', 'secrets', '-l', 'sluice.dev/job=no-slots'])).items).toEqual([]);
    const events = await json(['get', 'events', '--field-selector', 'involvedObject.name=no-slots']);
    const fallback = events.items.find((e: any) => e.reason === 'SavepointFallback'); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(fallback.message).toBe('No savepoint because the JobManager is unreachable; starting from the newest verified checkpoint or savepoint of run 1 in storage, else with empty state');
    await kubectlOk(['patch', 'sj', 'no-slots', '--type=merge', '-p', '{"spec":{"job":{"state":"running"}}}']);
    const resumed = await eventually('run 2', async () => {
      const s = await status('no-slots');
      return s.run?.number === 2 ? s : undefined;
    }, 30_000);
    expect(resumed.phase).toBe('Deploying');
    await eventually('pods of run 2', async () => ((await podNames('no-slots')).length === 5 ? true : undefined), 30_000);
    const pod = await json(['get', 'pod', 'no-slots-jobmanager']);
    expect(pod.metadata.annotations['sluice.dev/run']).toBe('2');
  }, 90_000);

  it('deletes everything it created, then its finalizer, when a StreamJob is deleted', async () => {
    // no-slots' pods never schedule (its podTemplate's nodeSelector matches no node), and a storage
    // cleanup pod would inherit that placement: this test is about the objects, so the files are retained.
    // The cleanup itself is tested in storage-lifecycle.test.ts.
    await kubectlOk(['patch', 'sj', 'no-slots', '--type=merge', '-p', JSON.stringify({ spec: { checkpointing: { deletionPolicy: { checkpoints: 'Retain' } } } })]);
    await kubectlOk(['delete', 'sj', 'no-slots', '--timeout=60s']);
    const left = await json(['get', 'pods,services,configmaps,networkpolicies,secrets', '-l', 'sluice.dev/job=no-slots']);
    expect(left.items).toEqual([]);
    expect((await harness.cluster.kubectl(['get', 'sj', 'no-slots'])).stderr).toContain('not found');
  }, 90_000);

  it('elects one leader through the Lease; a standby takes over after the leader is SIGKILLed', async () => {
    const standby = (second = await harness.startOperator('operator-b'));
    await eventually('the standby ready', async () => {
      const response = await fetch(`http://127.0.0.1:${standby.port}/readyz`).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    }, 60_000);
    const lease = await json(['get', 'lease', LEASE]);
    expect(lease.spec.holderIdentity).toBe('operator-a');
    const metrics = await (await fetch(`http://127.0.0.1:${standby.port}/metrics`)).text();
    expect(metrics).toContain('sluice_operator_leader 0');
    await leader.stop('SIGKILL');
    await eventually('operator-b holds the Lease', async () => ((await json(['get', 'lease', LEASE])).spec.holderIdentity === 'operator-b' ? true : undefined), 30_000);
    await kubectlOk(['apply', '-f', '-'], jobManifest('after-failover', (spec) => (spec.job.state = 'suspended')));
    expect(await eventually('after-failover Suspended', async () => ((await status('after-failover')).phase === 'Suspended' ? 'Suspended' : undefined), 30_000)).toBe('Suspended');
    const leaderMetrics = await (await fetch(`http://127.0.0.1:${standby.port}/metrics`)).text();
    expect(leaderMetrics).toContain('sluice_operator_leader 1');
    expect(leaderMetrics).toMatch(/sluice_operator_streamjobs\{phase="Suspended"\} [1-9]/);
    expect(leaderMetrics).toMatch(/sluice_operator_reconcile_total\{result="success"\} [1-9]/);
  }, 120_000);

  it('a leader frozen (SIGSTOP) past its lease writes nothing once it resumes: a standby has taken over', async () => {
    const standby = await harness.startOperator('operator-c');
    await eventually('operator-c ready', async () => ((await fetch(`http://127.0.0.1:${standby.port}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 60_000);
    expect((await json(['get', 'lease', LEASE])).spec.holderIdentity).toBe('operator-b');
    second.child.kill('SIGSTOP');
    // Work for whoever leads, which the frozen one will also see (its watches buffered) once it resumes.
    await kubectlOk(['apply', '-f', '-'], jobManifest('while-frozen', (spec) => (spec.job.state = 'suspended')));
    await eventually('operator-c holds the Lease', async () => ((await json(['get', 'lease', LEASE])).spec.holderIdentity === 'operator-c' ? true : undefined), 30_000);
    expect(await eventually('while-frozen Suspended', async () => ((await status('while-frozen')).phase === 'Suspended' ? 'Suspended' : undefined), 30_000)).toBe('Suspended');
    const resumed = new Date();
    second.child.kill('SIGCONT');
    // It finds it lost the Lease and exits (to come back as a standby in a pod).
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([second.exited, new Promise((done) => (timer = setTimeout(() => done('still running'), 30_000)))]);
    clearTimeout(timer);
    expect(exit).toBe(1);
    // Awake after the resume, it saw its renew deadline long past and stepped down...
    const log = readFileSync(second.logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { time: number; msg: string });
    // (A Lease call in flight at the freeze may first end in its deadline's abort, logged at warn.)
    const afterResume = log.filter((l) => l.time >= resumed.getTime()).map((l) => l.msg);
    expect(afterResume.filter((m) => !m.startsWith('leader election attempt failed:')).slice(0, 2)).toEqual([
      'could not renew the leader lease within the renew deadline; stepping down',
      'lost leadership; exiting',
    ]);
    // ...and wrote nothing: no Lease renewal, no object, status or Event (its token tells its requests apart).
    const after = operatorRequests().filter((e) => e.user.extra?.['authentication.kubernetes.io/credential-id']?.[0] === second.credentialId && new Date(e.requestReceivedTimestamp) >= resumed);
    expect(after.filter((e) => !['get', 'list', 'watch'].includes(e.verb)).map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);
    // Before the freeze it did write under that token (the filter sees its requests).
    expect(operatorRequests().some((e) => e.user.extra?.['authentication.kubernetes.io/credential-id']?.[0] === second.credentialId && e.verb === 'update' && e.objectRef?.resource === 'leases')).toBe(true);
    expect((await json(['get', 'lease', LEASE])).spec.holderIdentity).toBe('operator-c');
  }, 120_000);

  it('made only requests the chart\'s rules allow, and the real authorizer refused none', async () => {
    const requests = operatorRequests();
    expect(requests.length).toBeGreaterThan(0);
    // Discovery (GET /api, /apis/<group>/<version>, which client-node's generic client reads) is not a
    // resource request: every authenticated user may make it (the ClusterRole system:discovery).
    const discovery = requests.filter((e) => e.objectRef === undefined);
    expect(discovery.filter((e) => !(e.verb === 'get' && /^\/(api|apis)(\/[^/?]+){0,2}(\?|$)/.test(e.requestURI)))).toEqual([]);
    const resourceRequests = requests.filter((e) => e.objectRef !== undefined);
    const allowed = (e: AuditEvent) =>
      harness.rules.some(
        (rule: Rule) =>
          rule.apiGroups.includes(e.objectRef!.apiGroup ?? '') &&
          rule.resources.includes(resourceOf(e)) &&
          rule.verbs.includes(e.verb) &&
          (rule.resourceNames === undefined || (e.objectRef!.name !== undefined && rule.resourceNames.includes(e.objectRef!.name))),
      );
    const outside = resourceRequests.filter((e) => !allowed(e)).map((e) => `${e.verb} ${e.requestURI} ${e.responseStatus?.code}`);
    expect(outside).toEqual([]);
    expect(resourceRequests.filter((e) => e.responseStatus?.code === 403).map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);
    expect(resourceRequests.every((e) => e.objectRef!.namespace === NAMESPACE)).toBe(true);
    const used = new Set(resourceRequests.map((e) => `${e.objectRef!.apiGroup ?? ''}/${resourceOf(e)}:${e.verb}`));
    expect([...used].sort()).toEqual(expect.arrayContaining(USED));
    expect(used.has('sluice.dev/streamjobs:update')).toBe(false); // the chart does not grant it
    // Secrets: created and deleted (the runs' keys), never read.
    expect([...used].filter((u) => u.startsWith('/secrets:')).sort()).toEqual(['/secrets:create', '/secrets:delete']);
  }, 60_000);

  it('may do what the chart grants and nothing else: kubectl auth can-i as its ServiceAccount', async () => {
    const canI = async (args: string[]) => {
      const r = await harness.cluster.kubectl(['auth', 'can-i', ...args, `--as=${harness.user}`]);
      return `${args.join(' ')}: ${r.stdout.trim()}`;
    };
    const granted = harness.rules.flatMap((rule) =>
      rule.resources.flatMap((resource) => {
        const [plural, subresource] = resource.split('/');
        const qualified = rule.apiGroups[0] === '' ? plural! : `${plural}.${rule.apiGroups[0]}`;
        return rule.verbs.flatMap((verb) =>
          (rule.resourceNames ?? [undefined]).map((name) => [verb, name ? `${qualified}/${name}` : qualified, ...(subresource ? [`--subresource=${subresource}`] : [])]),
        );
      }),
    );
    expect(granted.length).toBeGreaterThan(20);
    const yes = await Promise.all(granted.map(canI));
    expect(yes.filter((line) => !line.endsWith(': yes'))).toEqual([]);
    const refused = [
      ['get', 'secrets', '--all-namespaces'],
      ['get', 'secrets', '-n', 'kube-system'],
      ['get', 'secrets'],
      ['get', 'secrets/minio-creds'],
      ['list', 'secrets'],
      ['watch', 'secrets'],
      ['update', 'secrets'],
      ['patch', 'secrets'],
      ['get', 'streamjobs.sluice.dev', '--subresource=status'],
      ['patch', 'streamjobs.sluice.dev', '--subresource=status'],
      ['update', 'streamjobs.sluice.dev'],
      ['create', 'streamjobs.sluice.dev'],
      ['delete', 'streamjobs.sluice.dev'],
      ['list', 'streamjobs.sluice.dev', '--all-namespaces'],
      ['update', 'pods'],
      ['patch', 'pods'],
      ['get', 'pods'],
      ['update', 'configmaps'],
      ['create', 'deployments.apps'],
      ['create', 'pods', '-n', 'default'],
      ['get', `leases.coordination.k8s.io/${SERVICE_ACCOUNT}-other`],
      ['delete', `leases.coordination.k8s.io/${LEASE}`],
      ['create', 'rolebindings.rbac.authorization.k8s.io'],
    ];
    expect(await Promise.all(refused.map(canI))).toEqual(refused.map((args) => `${args.join(' ')}: no`));
    // And a request outside the rules, made as the ServiceAccount, is refused by the API server.
    const listSecrets = await harness.cluster.kubectl(['get', 'secrets', `--as=${harness.user}`]);
    expect([listSecrets.code, listSecrets.stderr.trim()]).toEqual([
      1,
      `Error from server (Forbidden): secrets is forbidden: User "${harness.user}" cannot list resource "secrets" in API group "" in the namespace "${NAMESPACE}"`,
    ]);
  }, 60_000);
});
