import { jsonEqual } from '../apiserver/json-equal.ts';
import { labelSelectorFromObject, matchesLabels } from '../apiserver/label-selector.ts';
import type { KObject } from '../apiserver/resource-type.ts';
import { controllerOf, controllerRef, isPodReady, splitKey, type Controller, type ControllerContext } from './controller-context.ts';
import { recordEvent } from './event-recorder.ts';
import { WorkQueue } from './work-queue.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- replicaset/pod JSON

/** Keeps `spec.replicas` pods from each ReplicaSet's template, owned by it, and reports status. */
export function startReplicaSetController(ctx: ControllerContext): Controller {
  const replicaSets = ctx.type('apps', 'replicasets');
  const pods = ctx.type('', 'pods');
  const queue = new WorkQueue('replicaset', (key) => {
    const [ns, name] = splitKey(key);
    const rs = ctx.api.find(replicaSets, ns, name) as J | undefined;
    if (!rs || rs.metadata.deletionTimestamp) return;
    const selector = labelSelectorFromObject(rs.spec.selector);
    const owned = ctx.api
      .list(pods, ns)
      .items.filter((p) => controllerOf(p) === rs.metadata.uid && matchesLabels(selector, p.metadata.labels));
    const active = owned.filter((p) => !p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes((p as J).status?.phase));
    const desired: number = rs.spec.replicas ?? 1;
    if (active.length < desired) {
      const template = rs.spec.template ?? {};
      for (let i = active.length; i < desired; i++) {
        const created = ctx.api.create(
          pods,
          ns,
          {
            metadata: {
              generateName: `${name}-`,
              labels: template.metadata?.labels,
              ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
              ownerReferences: [controllerRef(rs as KObject)],
            },
            spec: structuredClone(template.spec),
          },
          ctx.user,
        );
        recordEvent(ctx, 'replicaset-controller', rs as KObject, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      }
    } else if (active.length > desired) {
      const rank = (p: J): number => (!p.spec?.nodeName ? 0 : p.status?.phase === 'Pending' ? 1 : !isPodReady(p as KObject) ? 2 : 3);
      const victims = [...active].sort((a, b) => rank(a as J) - rank(b as J) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
      for (const p of victims.slice(0, active.length - desired)) {
        ctx.api.delete(pods, ns, p.metadata.name!, {});
        recordEvent(ctx, 'replicaset-controller', rs as KObject, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      }
    }
    const current = ctx.api.list(pods, ns).items.filter((p) => controllerOf(p) === rs.metadata.uid && !p.metadata.deletionTimestamp);
    const ready = current.filter(isPodReady).length;
    const templateLabels = rs.spec.template?.metadata?.labels ?? {};
    const status = {
      replicas: current.length,
      fullyLabeledReplicas: current.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation,
    };
    if (!jsonEqual(rs.status, status)) ctx.api.update(replicaSets, ns, name, { ...rs, status }, 'status', ctx.user);
  });
  ctx.onEvent((e) => {
    if (e.storageKey === 'apps/replicasets' && e.type !== 'DELETED') queue.add(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
    else if (e.storageKey === '/pods') {
      const owner = e.object.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'ReplicaSet');
      if (owner) queue.add(`${e.object.metadata.namespace}/${owner.name}`);
    }
  });
  return { stop: () => queue.stop() };
}
