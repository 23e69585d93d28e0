import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import type { OwnedObjects } from '../controller/reconcile.ts';
import type { DesiredObjects } from '../resources/desired-objects.ts';
import { OBJECT_HASH_ANNOTATION, RUN_ANNOTATION, isRunPod } from '../resources/labels.ts';
import type { KubeObjects } from './kube-objects.ts';


const hashOf = (object: KubernetesObject) => object.metadata?.annotations?.[OBJECT_HASH_ANNOTATION];
const terminating = (object: KubernetesObject) => object.metadata?.deletionTimestamp !== undefined;

/**
 * Converges the objects of a StreamJob's run with what exists: the ConfigMap and the Service by
 * server-side apply when missing or built from something else (their object-hash annotation differs),
 * which keeps fields others set on them; pods, immutable, are created when missing and deleted when
 * stale, failed or no longer wanted. The StreamJob's NetworkPolicies (none when the operator writes
 * none) are converged like the ConfigMap, before any pod. The run's key Secret is created (an existing
 * one is fine) right before any pod, since the operator never reads Secrets to know whether it
 * exists. One call does what it can without waiting; the informers' events bring the next call.
 */
export async function syncObjects(
  kube: KubeObjects,
  desired: DesiredObjects,
  owned: OwnedObjects,
  runKeySecret: V1Secret,
  networkPolicies: readonly KubernetesObject[],
): Promise<void> {
  await syncOne(kube, { apiVersion: 'v1', kind: 'ConfigMap', ...desired.configMap }, owned.configMaps);
  await syncOne(kube, { apiVersion: 'v1', kind: 'Service', ...desired.service }, owned.services);
  for (const policy of networkPolicies) await syncOne(kube, policy, owned.networkPolicies);
  // Pods only once the configuration they mount is current.
  const configCurrent = owned.configMaps.some((c) => c.metadata?.name === desired.configMap.metadata?.name && hashOf(c) === hashOf(desired.configMap));
  const wanted = [desired.jobManager, ...desired.taskManagers];
  const wantedNames = new Set(wanted.map((p) => p.metadata!.name));
  // One-shot pods (an upgrade check, a cleanup) are not the run's: their owners delete them.
  for (const pod of owned.pods.filter(isRunPod)) {
    if (!wantedNames.has(pod.metadata!.name) && !terminating(pod)) await kube.delete({ apiVersion: 'v1', kind: 'Pod', ...pod });
  }
  let keyCreated = false;
  for (const pod of wanted) {
    const existing = owned.pods.find((p) => p.metadata!.name === pod.metadata!.name);
    if (existing === undefined) {
      if (!configCurrent) continue;
      if (!keyCreated) await kube.create(runKeySecret);
      keyCreated = true;
      await kube.create({ apiVersion: 'v1', kind: 'Pod', ...pod });
    } else if (!terminating(existing) && (hashOf(existing) !== hashOf(pod) || existing.status?.phase === 'Failed' || existing.status?.phase === 'Succeeded')) {
      // Pods are immutable: a stale or dead one is deleted, and re-created once it is gone.
      await kube.delete({ apiVersion: 'v1', kind: 'Pod', ...existing });
    }
  }
}

async function syncOne(kube: KubeObjects, desired: KubernetesObject, existing: readonly KubernetesObject[]): Promise<void> {
  const current = existing.find((o) => o.metadata?.name === desired.metadata?.name);
  if (current === undefined || (!terminating(current) && hashOf(current) !== hashOf(desired))) await kube.apply(desired);
}

/**
 * Deletes the run's pods (a suspension or the step between two runs) and, first, the key Secret of
 * each run they belong to: the key has no use once its pods are going.
 */
export async function deletePods(kube: KubeObjects, owned: OwnedObjects, runKeySecretName: (run: string) => string): Promise<void> {
  const live = owned.pods.filter((pod) => !terminating(pod));
  const runs = new Set(live.map((pod) => pod.metadata?.annotations?.[RUN_ANNOTATION]).filter((run) => run !== undefined));
  const namespace = live[0]?.metadata?.namespace;
  for (const run of runs) await kube.delete({ apiVersion: 'v1', kind: 'Secret', metadata: { name: runKeySecretName(run), namespace } });
  for (const pod of live) await kube.delete({ apiVersion: 'v1', kind: 'Pod', ...pod });
}

/** Deletes everything the operator created for a StreamJob; true once nothing is left (key Secrets of runs without pods go with the StreamJob, by garbage collection). */
export async function deleteAll(kube: KubeObjects, owned: OwnedObjects, runKeySecretName: (run: string) => string): Promise<boolean> {
  await deletePods(kube, owned, runKeySecretName);
  for (const o of owned.services) if (!terminating(o)) await kube.delete({ apiVersion: 'v1', kind: 'Service', ...o });
  for (const o of owned.configMaps) if (!terminating(o)) await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', ...o });
  for (const o of owned.networkPolicies) if (!terminating(o)) await kube.delete({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...o });
  return owned.pods.length + owned.services.length + owned.configMaps.length + owned.networkPolicies.length === 0;
}
