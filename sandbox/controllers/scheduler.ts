import type { KObject } from '../apiserver/resource-type.ts';
import { recordEvent } from './event-recorder.ts';
import { WorkQueue } from './work-queue.ts';
import type { Controller, ControllerContext } from './controller-context.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- pod/node JSON

/**
 * A trivial kube-scheduler: binds each pending pod of the default scheduler to a Ready,
 * schedulable Node through `pods/binding`. With no such Node the pod stays Pending.
 */
export function startScheduler(ctx: ControllerContext): Controller {
  const pods = ctx.type('', 'pods');
  const nodes = ctx.type('', 'nodes');
  const queue = new WorkQueue('scheduler', (key) => {
    const [ns, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    const pod = ctx.api.find(pods, ns, name) as J | undefined;
    if (!pod || !needsScheduling(pod as KObject)) return;
    const node = ctx.api.list(nodes, undefined).items.find((n) => schedulable(n as J));
    if (!node) return;
    ctx.api.bind(ns, name, { target: { apiVersion: 'v1', kind: 'Node', name: node.metadata.name } }, ctx.user);
    recordEvent(ctx, 'default-scheduler', pod as KObject, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${node.metadata.name}`);
  });
  const requeueAll = (): void => {
    for (const p of ctx.api.list(pods, undefined).items) if (needsScheduling(p)) queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
  };
  ctx.onEvent((e) => {
    if (e.storageKey === '/pods' && e.type !== 'DELETED' && needsScheduling(e.object)) queue.add(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
    if (e.storageKey === '/nodes' && e.type !== 'DELETED') setImmediate(requeueAll);
  });
  return { stop: () => queue.stop() };
}

function needsScheduling(pod: KObject): boolean {
  const p = pod as J;
  return !p.spec?.nodeName && !pod.metadata.deletionTimestamp && (p.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler';
}

function schedulable(node: J): boolean {
  return !node.spec?.unschedulable && (node.status?.conditions ?? []).some((c: J) => c.type === 'Ready' && c.status === 'True');
}
