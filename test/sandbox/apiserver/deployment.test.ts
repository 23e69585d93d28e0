import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { eventually, startApiServerFixture, type ApiServerFixture } from './api-server-fixture.ts';

let f: ApiServerFixture;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  f = await startApiServerFixture();
  core = f.kc.makeApiClient(CoreV1Api);
  apps = f.kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: 'dep' } } });
});
afterAll(async () => f?.stop());

const deployment = (image: string, replicas: number): string =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'dep' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, ports: [{ name: 'http', containerPort: 8080 }] }] } },
    },
  });

const pods = async (): Promise<V1Pod[]> => (await core.listNamespacedPod({ namespace: 'dep', labelSelector: 'app=web' })).items.filter((p) => !p.metadata!.deletionTimestamp);
const podsWith = (what: string, test: (ps: V1Pod[]) => boolean) => eventually(what, async () => {
  const ps = await pods();
  return test(ps) ? ps : undefined;
});

/** Plays the kubelet's part: gives each pod an IP and reports it Running and Ready. */
async function markReady(ps: V1Pod[]): Promise<void> {
  let n = 10;
  for (const p of ps)
    await core.patchNamespacedPodStatus(
      { name: p.metadata!.name!, namespace: 'dep', body: { status: { phase: 'Running', podIP: `127.0.5.${n++}`, conditions: [{ type: 'Ready', status: 'True' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

describe('Deployment controller', () => {
  it('creates a ReplicaSet and `replicas` pods from the template, owned through ownerReferences', async () => {
    await f.kubectlOk(['apply', '-f', '-'], deployment('web:1', 2));
    const ps = await podsWith('two pods', (p) => p.length === 2);
    const rsList = (await apps.listNamespacedReplicaSet({ namespace: 'dep' })).items;
    expect(rsList).toHaveLength(1);
    const rs = rsList[0]!;
    const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'dep' });
    expect(rs.metadata!.name).toBe(`web-${rs.metadata!.labels!['pod-template-hash']}`);
    expect(rs.metadata!.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    for (const p of ps) {
      expect(p.metadata!.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata!.name, uid: rs.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
      expect(p.metadata!.name).toMatch(new RegExp(`^${rs.metadata!.name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(p.spec!.containers[0]!.image).toBe('web:1');
    }
    await markReady(ps);
    const status = await eventually('deployment status', async () => {
      const s = (await apps.readNamespacedDeployment({ name: 'web', namespace: 'dep' })).status;
      return s?.availableReplicas === 2 ? s : undefined;
    });
    expect(status).toMatchObject({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(await f.kubectlOk(['-n', 'dep', 'rollout', 'status', 'deployment/web', '--timeout=5s'])).toBe('deployment "web" successfully rolled out\n');
    expect(await f.kubectlOk(['-n', 'dep', 'get', 'deployment', 'web', '--no-headers'])).toMatch(/^web\s+2\/2\s+2\s+2\s+\d+s\n$/);
    const events = (await core.listNamespacedEvent({ namespace: 'dep' })).items.map((e) => `${e.involvedObject.kind} ${e.reason}: ${e.message}`);
    expect(events.sort()).toEqual(
      [`Deployment ScalingReplicaSet: Scaled up replica set ${rs.metadata!.name} from 0 to 2`, ...ps.map((p) => `ReplicaSet SuccessfulCreate: Created pod: ${p.metadata!.name}`)].sort(),
    );
  });

  it('keeps an Endpoints object with the ready pods of a selecting Service', async () => {
    await core.createNamespacedService({ namespace: 'dep', body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } } });
    const ep = await eventually('endpoints', async () => {
      try {
        const e = await core.readNamespacedEndpoints({ name: 'web', namespace: 'dep' });
        return e.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
      } catch {
        return undefined;
      }
    });
    expect(ep.subsets![0]!.addresses!.map((a) => a.ip)).toEqual(['127.0.5.10', '127.0.5.11']);
    expect(ep.subsets![0]!.ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
  });

  it('replaces the pods when the template changes, scaling the old ReplicaSet down as new pods become ready', async () => {
    const old = await pods();
    await f.kubectlOk(['apply', '-f', '-'], deployment('web:2', 2));
    const fresh = await podsWith('two new pods', (p) => p.filter((x) => x.spec!.containers[0]!.image === 'web:2').length === 2);
    expect(fresh.filter((p) => p.spec!.containers[0]!.image === 'web:1').map((p) => p.metadata!.name).sort()).toEqual(old.map((p) => p.metadata!.name).sort());
    await markReady(fresh.filter((p) => p.spec!.containers[0]!.image === 'web:2'));
    const after = await podsWith('old pods gone', (p) => p.every((x) => x.spec!.containers[0]!.image === 'web:2'));
    expect(after).toHaveLength(2);
    const d = await eventually('rolled out', async () => {
      const x = await apps.readNamespacedDeployment({ name: 'web', namespace: 'dep' });
      return x.status?.updatedReplicas === 2 && x.status.replicas === 2 && x.status.availableReplicas === 2 ? x : undefined;
    });
    expect(d.metadata!.generation).toBe(2);
    expect(d.status!.observedGeneration).toBe(2);
    const rsList = (await apps.listNamespacedReplicaSet({ namespace: 'dep' })).items;
    expect(rsList.map((rs) => [rs.metadata!.annotations!['deployment.kubernetes.io/revision'], rs.spec!.replicas]).sort()).toEqual([
      ['1', 0],
      ['2', 2],
    ]);
  });

  it('scales through the scale subresource with kubectl scale', async () => {
    expect(await f.kubectlOk(['-n', 'dep', 'scale', 'deployment', 'web', '--replicas=3'])).toBe('deployment.apps/web scaled\n');
    await podsWith('three pods', (p) => p.length === 3);
    await f.kubectlOk(['-n', 'dep', 'scale', 'deployment', 'web', '--replicas=1']);
    await podsWith('one pod', (p) => p.length === 1);
  });

  it('recreates a deleted pod', async () => {
    const [p] = await pods();
    await core.deleteNamespacedPod({ name: p!.metadata!.name!, namespace: 'dep' });
    const again = await podsWith('a replacement pod', (ps) => ps.length === 1 && ps[0]!.metadata!.name !== p!.metadata!.name);
    expect(again[0]!.spec!.containers[0]!.image).toBe('web:2');
  });

  it('rolls back with kubectl rollout undo, reusing the earlier ReplicaSet as the newest revision', async () => {
    expect(await f.kubectlOk(['-n', 'dep', 'rollout', 'undo', 'deployment/web'])).toBe('deployment.apps/web rolled back\n');
    const rsList = await eventually('revision 3', async () => {
      const list = (await apps.listNamespacedReplicaSet({ namespace: 'dep' })).items;
      return list.some((rs) => rs.metadata!.annotations!['deployment.kubernetes.io/revision'] === '3') ? list : undefined;
    });
    expect(rsList.map((rs) => [rs.metadata!.annotations!['deployment.kubernetes.io/revision'], rs.spec!.template!.spec!.containers[0]!.image]).sort()).toEqual([
      ['2', 'web:2'],
      ['3', 'web:1'],
    ]);
    await podsWith('a web:1 pod', (ps) => ps.some((p) => p.spec!.containers[0]!.image === 'web:1'));
  });

  it('deletes ReplicaSets and pods with the Deployment', async () => {
    await f.kubectlOk(['-n', 'dep', 'delete', 'deployment', 'web']);
    await eventually('everything gone', async () => {
      const rs = (await apps.listNamespacedReplicaSet({ namespace: 'dep' })).items;
      return rs.length === 0 && (await core.listNamespacedPod({ namespace: 'dep' })).items.length === 0 ? true : undefined;
    });
  });
});
