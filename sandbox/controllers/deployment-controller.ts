import { createHash } from 'node:crypto';
import { jsonEqual } from '../apiserver/json-equal.ts';
import type { KObject } from '../apiserver/resource-type.ts';
import { timestamp } from '../apiserver/object-meta.ts';
import { controllerOf, controllerRef, splitKey, type Controller, type ControllerContext } from './controller-context.ts';
import { recordEvent } from './event-recorder.ts';
import { WorkQueue } from './work-queue.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- deployment/replicaset JSON

const HASH_LABEL = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';

/**
 * Deployments → ReplicaSets, as kube-controller-manager does: one ReplicaSet per pod template
 * (named `<deployment>-<pod-template-hash>`). On a template change the new ReplicaSet is scaled
 * to `replicas` at once and old ones scale down as new pods become ready (RollingUpdate with an
 * effective maxSurge of 100%), or old ones go to zero first (Recreate).
 */
export function startDeploymentController(ctx: ControllerContext): Controller {
  const deployments = ctx.type('apps', 'deployments');
  const replicaSets = ctx.type('apps', 'replicasets');
  const queue = new WorkQueue('deployment', (key) => {
    const [ns, name] = splitKey(key);
    const d = ctx.api.find(deployments, ns, name) as J | undefined;
    if (!d || d.metadata.deletionTimestamp) return;
    const owned = ctx.api.list(replicaSets, ns).items.filter((rs) => controllerOf(rs) === d.metadata.uid) as J[];
    const hash = templateHash(d.spec.template);
    // As Kubernetes' EqualIgnoreHash: the ReplicaSet whose template is the Deployment's, hash label aside.
    let newRs = owned.find((rs) => jsonEqual(withoutHash(rs.spec.template), d.spec.template));
    const old = owned.filter((rs) => rs !== newRs);
    const maxRevision = Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0)));
    if (newRs && Number(newRs.metadata.annotations?.[REVISION] ?? 0) < maxRevision)
      newRs = ctx.api.patch(replicaSets, ns, newRs.metadata.name, 'merge', JSON.stringify({ metadata: { annotations: { [REVISION]: String(maxRevision + 1) } } }), '', ctx.user) as J;
    const desired: number = d.spec.replicas ?? 1;
    const recreate = d.spec.strategy?.type === 'Recreate';
    const oldActive = old.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
    if (!newRs) {
      const revision = maxRevision + 1;
      const template = structuredClone(d.spec.template);
      template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [HASH_LABEL]: hash } };
      newRs = ctx.api.create(
        replicaSets,
        ns,
        {
          metadata: {
            name: `${name}-${hash}`,
            labels: template.metadata.labels,
            annotations: { [REVISION]: String(revision), 'deployment.kubernetes.io/desired-replicas': String(desired) },
            ownerReferences: [controllerRef(d as KObject)],
          },
          spec: {
            replicas: recreate && oldActive > 0 ? 0 : desired,
            selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector.matchLabels, [HASH_LABEL]: hash } },
            template,
          },
        },
        ctx.user,
      ) as J;
      if (newRs.spec.replicas > 0)
        recordEvent(ctx, 'deployment-controller', d as KObject, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${newRs.metadata.name} from 0 to ${newRs.spec.replicas}`);
    }
    const newReady: number = newRs.status?.readyReplicas ?? 0;
    const scale = (rs: J, replicas: number): void => {
      const from = rs.spec.replicas ?? 0;
      if (from === replicas) return;
      ctx.api.patch(replicaSets, ns, rs.metadata.name, 'merge', JSON.stringify({ spec: { replicas } }), '', ctx.user);
      const direction = replicas > from ? 'up' : 'down';
      recordEvent(ctx, 'deployment-controller', d as KObject, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata.name} from ${from} to ${replicas}`);
    };
    if (recreate) {
      for (const rs of old) scale(rs, 0);
      scale(newRs, oldActive > 0 ? 0 : desired);
    } else {
      scale(newRs, desired);
      let budget = Math.max(0, desired - newReady);
      for (const rs of old) {
        const keep = Math.min(rs.spec.replicas ?? 0, budget);
        budget -= keep;
        scale(rs, keep);
      }
    }
    const all = [newRs, ...old];
    const sum = (f: (rs: J) => number): number => all.reduce((n, rs) => n + f(rs), 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const updated = newRs.status?.replicas ?? 0;
    const replicas = sum((rs) => rs.status?.replicas ?? 0);
    const complete = updated === desired && replicas === desired && available === desired;
    const now = timestamp();
    const condition = (type: string, status: boolean, reason: string, message: string): J => {
      const prev = (d.status?.conditions ?? []).find((c: J) => c.type === type);
      const same = prev && prev.status === (status ? 'True' : 'False') && prev.reason === reason;
      return { type, status: status ? 'True' : 'False', lastUpdateTime: same ? prev.lastUpdateTime : now, lastTransitionTime: same ? prev.lastTransitionTime : now, reason, message };
    };
    const status: J = {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      ...(desired - available > 0 ? { unavailableReplicas: desired - available } : {}),
      conditions: [
        available >= desired
          ? condition('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
          : condition('Available', false, 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
        complete
          ? condition('Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${newRs.metadata.name}" has successfully progressed.`)
          : condition('Progressing', true, 'ReplicaSetUpdated', `ReplicaSet "${newRs.metadata.name}" is progressing.`),
      ],
    };
    if (status.replicas === 0) delete status.replicas;
    if (!jsonEqual(stripTimes(d.status), stripTimes(status))) ctx.api.update(deployments, ns, name, { ...d, status }, 'status', ctx.user);
  });
  ctx.onEvent((e) => {
    if (e.storageKey === 'apps/deployments' && e.type !== 'DELETED') queue.add(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
    else if (e.storageKey === 'apps/replicasets') {
      const owner = e.object.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Deployment');
      if (owner) queue.add(`${e.object.metadata.namespace}/${owner.name}`);
    }
  });
  return { stop: () => queue.stop() };
}

/** A stable short hash of the pod template, in the alphabet Kubernetes uses for generated names. */
function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(template)).digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[digest[i]! % alphabet.length];
  return out;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as J)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as J)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function withoutHash(template: J | undefined): J | undefined {
  if (!template?.metadata?.labels) return template;
  const { [HASH_LABEL]: _hash, ...labels } = template.metadata.labels;
  return { ...template, metadata: { ...template.metadata, labels } };
}

function stripTimes(status: J | undefined): unknown {
  if (!status) return status;
  return { ...status, conditions: (status.conditions ?? []).map((c: J) => ({ ...c, lastUpdateTime: undefined, lastTransitionTime: undefined })) };
}
