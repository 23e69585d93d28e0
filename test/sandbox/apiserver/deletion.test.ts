import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, type V1ConfigMap, type V1OwnerReference } from '@kubernetes/client-node';
import { eventually, startApiServerFixture, type ApiServerFixture } from './api-server-fixture.ts';

let f: ApiServerFixture;
let core: CoreV1Api;

beforeAll(async () => {
  f = await startApiServerFixture();
  core = f.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'del' } } });
});
afterAll(async () => f?.stop());

const exists = async (name: string, namespace = 'del'): Promise<boolean> => {
  try {
    await core.readNamespacedConfigMap({ name, namespace });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return false;
    throw err;
  }
};
const gone = (name: string, namespace = 'del') => eventually(`${name} to be deleted`, async () => ((await exists(name, namespace)) ? undefined : true));

async function owner(name: string, extra: Partial<V1ConfigMap['metadata']> = {}): Promise<V1OwnerReference & { uid: string }> {
  const cm = await core.createNamespacedConfigMap({ namespace: 'del', body: { metadata: { name, ...extra } } });
  return { apiVersion: 'v1', kind: 'ConfigMap', name, uid: cm.metadata!.uid! };
}
const dependent = (name: string, owners: V1OwnerReference[]) => core.createNamespacedConfigMap({ namespace: 'del', body: { metadata: { name, ownerReferences: owners } } });

describe('finalizers', () => {
  it('hold deletion with deletionTimestamp set until the last finalizer is removed', async () => {
    await core.createNamespacedConfigMap({ namespace: 'del', body: { metadata: { name: 'held', finalizers: ['example.com/a', 'example.com/b'] } } });
    await f.kubectlOk(['-n', 'del', 'delete', 'configmap', 'held', '--wait=false']);
    const held = await core.readNamespacedConfigMap({ name: 'held', namespace: 'del' });
    expect(held.metadata!.deletionTimestamp).toBeInstanceOf(Date);
    expect(held.metadata!.finalizers).toEqual(['example.com/a', 'example.com/b']);
    const added = await f.kubectl(['-n', 'del', 'patch', 'configmap', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/a","example.com/b","example.com/c"]}}']);
    expect(added.stderr).toContain('Forbidden: no new finalizers can be added if the object is being deleted');
    await f.kubectlOk(['-n', 'del', 'patch', 'configmap', 'held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers/0"}]']);
    expect(await exists('held')).toBe(true);
    await f.kubectlOk(['-n', 'del', 'patch', 'configmap', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    expect(await exists('held')).toBe(false);
  });
});

describe('garbage collection through ownerReferences', () => {
  it('deletes dependents in the background once their only owner is gone', async () => {
    const o = await owner('bg-owner');
    await dependent('bg-child', [o]);
    await dependent('bg-grandchild', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'bg-child', uid: (await core.readNamespacedConfigMap({ name: 'bg-child', namespace: 'del' })).metadata!.uid! }]);
    await f.kubectlOk(['-n', 'del', 'delete', 'configmap', 'bg-owner']);
    await gone('bg-child');
    await gone('bg-grandchild');
  });

  it('keeps a dependent that still has a live owner, dropping the dangling reference', async () => {
    const a = await owner('multi-a');
    const b = await owner('multi-b');
    await dependent('multi-child', [a, b]);
    await f.kubectlOk(['-n', 'del', 'delete', 'configmap', 'multi-a']);
    const child = await eventually('dangling reference removed', async () => {
      const c = await core.readNamespacedConfigMap({ name: 'multi-child', namespace: 'del' });
      return c.metadata!.ownerReferences!.length === 1 ? c : undefined;
    });
    expect(child.metadata!.ownerReferences!.map((r) => r.name)).toEqual(['multi-b']);
  });

  it('deletes in the foreground: the owner waits with foregroundDeletion until blocking dependents are gone', async () => {
    const o = await owner('fg-owner');
    await core.createNamespacedConfigMap({ namespace: 'del', body: { metadata: { name: 'fg-child', ownerReferences: [{ ...o, blockOwnerDeletion: true }], finalizers: ['example.com/hold'] } } });
    await f.kubectlOk(['-n', 'del', 'delete', 'configmap', 'fg-owner', '--cascade=foreground', '--wait=false']);
    const waiting = await eventually('child being deleted', async () => {
      const c = await core.readNamespacedConfigMap({ name: 'fg-child', namespace: 'del' });
      return c.metadata!.deletionTimestamp ? c : undefined;
    });
    expect(waiting.metadata!.finalizers).toEqual(['example.com/hold']);
    const ownerNow = await core.readNamespacedConfigMap({ name: 'fg-owner', namespace: 'del' });
    expect(ownerNow.metadata!.deletionTimestamp).toBeInstanceOf(Date);
    expect(ownerNow.metadata!.finalizers).toEqual(['foregroundDeletion']);
    await f.kubectlOk(['-n', 'del', 'patch', 'configmap', 'fg-child', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await gone('fg-child');
    await gone('fg-owner');
  });

  it('orphans dependents with propagationPolicy Orphan', async () => {
    const o = await owner('orph-owner');
    await dependent('orph-child', [o]);
    await f.kubectlOk(['-n', 'del', 'delete', 'configmap', 'orph-owner', '--cascade=orphan']);
    await gone('orph-owner');
    const child = await core.readNamespacedConfigMap({ name: 'orph-child', namespace: 'del' });
    expect(child.metadata!.ownerReferences).toBeUndefined();
  });

  it('collects a dependent created with an owner that no longer exists', async () => {
    await dependent('dangling', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' }]);
    await gone('dangling');
  });
});

describe('pods', () => {
  it('delete an unscheduled pod at once, and hold a scheduled one for its kubelet with the grace period', async () => {
    await core.createNamespacedPod({ namespace: 'del', body: { metadata: { name: 'unbound' }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    await f.kubectlOk(['-n', 'del', 'delete', 'pod', 'unbound']);
    await core.createNode({ body: { metadata: { name: 'node-a' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } });
    await core.createNamespacedPod({ namespace: 'del', body: { metadata: { name: 'bound' }, spec: { terminationGracePeriodSeconds: 7, containers: [{ name: 'c', image: 'x' }] } } });
    const scheduled = await eventually('pod bound by the scheduler', async () => {
      const p = await core.readNamespacedPod({ name: 'bound', namespace: 'del' });
      return p.spec!.nodeName ? p : undefined;
    });
    expect(scheduled.spec!.nodeName).toBe('node-a');
    expect(scheduled.status!.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]);
    await f.kubectlOk(['-n', 'del', 'delete', 'pod', 'bound', '--wait=false']);
    const terminating = await core.readNamespacedPod({ name: 'bound', namespace: 'del' });
    expect(terminating.metadata!.deletionGracePeriodSeconds).toBe(7);
    expect(terminating.metadata!.deletionTimestamp!.getTime() - Date.now()).toBeGreaterThan(4000);
    expect(await f.kubectlOk(['-n', 'del', 'get', 'pod', 'bound', '--no-headers'])).toMatch(/^bound\s+0\/1\s+Terminating\s+0/);
    await core.deleteNamespacedPod({ name: 'bound', namespace: 'del', gracePeriodSeconds: 0 });
    await expect(core.readNamespacedPod({ name: 'bound', namespace: 'del' })).rejects.toMatchObject({ code: 404 });
  });

  it('remove a pod with a finalizer once its kubelet has deleted it and the finalizer is gone', async () => {
    await core.createNamespacedPod({ namespace: 'del', body: { metadata: { name: 'held-pod', finalizers: ['example.com/hold'] }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    await eventually('pod bound', async () => ((await core.readNamespacedPod({ name: 'held-pod', namespace: 'del' })).spec!.nodeName ? true : undefined));
    await f.kubectlOk(['-n', 'del', 'delete', 'pod', 'held-pod', '--wait=false']);
    await core.deleteNamespacedPod({ name: 'held-pod', namespace: 'del', gracePeriodSeconds: 0 });
    const waiting = await core.readNamespacedPod({ name: 'held-pod', namespace: 'del' });
    expect(waiting.metadata!.deletionGracePeriodSeconds).toBe(0);
    await f.kubectlOk(['-n', 'del', 'patch', 'pod', 'held-pod', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await expect(core.readNamespacedPod({ name: 'held-pod', namespace: 'del' })).rejects.toMatchObject({ code: 404 });
  });
});

describe('namespaces', () => {
  it('deletes a namespace with its contents, refusing new content meanwhile', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'kept', finalizers: ['example.com/hold'] } } });
    await f.kubectlOk(['delete', 'namespace', 'doomed', '--wait=false']);
    const ns = await core.readNamespace({ name: 'doomed' });
    expect(ns.status!.phase).toBe('Terminating');
    const refused = await f.kubectl(['-n', 'doomed', 'create', 'configmap', 'late']);
    expect(refused.stderr).toBe('error: failed to create configmap: configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated\n');
    await eventually('configmap marked for deletion', async () => ((await core.readNamespacedConfigMap({ name: 'kept', namespace: 'doomed' })).metadata!.deletionTimestamp ? true : undefined));
    await f.kubectlOk(['-n', 'doomed', 'patch', 'configmap', 'kept', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually('namespace gone', async () => {
      try {
        await core.readNamespace({ name: 'doomed' });
        return undefined;
      } catch (err) {
        return (err as { code?: number }).code === 404 ? true : undefined;
      }
    });
  });
});
