import { jsonEqual } from '../apiserver/json-equal.ts';
import type { KObject } from '../apiserver/resource-type.ts';
import { isPodReady, splitKey, type Controller, type ControllerContext } from './controller-context.ts';
import { WorkQueue } from './work-queue.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- service/pod JSON

/** Keeps an Endpoints object per selector-bearing Service: ready pod IPs in `addresses`, the rest in `notReadyAddresses`. */
export function startEndpointsController(ctx: ControllerContext): Controller {
  const services = ctx.type('', 'services');
  const endpoints = ctx.type('', 'endpoints');
  const pods = ctx.type('', 'pods');
  const queue = new WorkQueue('endpoints', (key) => {
    const [ns, name] = splitKey(key);
    const svc = ctx.api.find(services, ns, name) as J | undefined;
    const existing = ctx.api.find(endpoints, ns, name) as J | undefined;
    if (!svc) {
      if (existing) ctx.api.delete(endpoints, ns, name, {});
      return;
    }
    if (!svc.spec?.selector) return;
    const selected = ctx.api
      .list(pods, ns, { labelSelector: Object.entries(svc.spec.selector).map(([k, v]) => `${k}=${v}`).join(',') })
      .items.filter((p) => (p as J).status?.podIP && !p.metadata.deletionTimestamp);
    const subsets = subsetsFor(svc, selected);
    const desired = {
      metadata: { name, namespace: ns, labels: { ...svc.metadata.labels, ...(svc.spec.clusterIP === 'None' ? { 'service.kubernetes.io/headless': '' } : {}) } },
      subsets,
    };
    if (!existing) ctx.api.create(endpoints, ns, desired, ctx.user);
    else if (!jsonEqual(existing.subsets ?? [], subsets) || !jsonEqual(existing.metadata.labels ?? {}, desired.metadata.labels))
      ctx.api.update(endpoints, ns, name, { ...existing, metadata: { ...existing.metadata, labels: desired.metadata.labels }, subsets }, '', ctx.user);
  });
  ctx.onEvent((e) => {
    const ns = e.object.metadata.namespace;
    if (e.storageKey === '/services') queue.add(`${ns}/${e.object.metadata.name}`);
    else if (e.storageKey === '/pods')
      for (const svc of ctx.api.list(services, ns).items) if ((svc as J).spec?.selector) queue.add(`${ns}/${svc.metadata.name}`);
  });
  return { stop: () => queue.stop() };
}

function subsetsFor(svc: J, selected: KObject[]): J[] {
  const groups = new Map<string, J>();
  for (const pod of selected as J[]) {
    const ports = (svc.spec.ports ?? []).map((p: J) => ({
      ...(p.name ? { name: p.name } : {}),
      port: resolvePort(pod, p.targetPort ?? p.port),
      protocol: p.protocol ?? 'TCP',
    }));
    if (ports.some((p: J) => p.port === undefined)) continue;
    const key = JSON.stringify(ports);
    if (!groups.has(key)) groups.set(key, { addresses: [], notReadyAddresses: [], ports });
    const address = {
      ip: pod.status.podIP,
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    groups.get(key)![isPodReady(pod as KObject) ? 'addresses' : 'notReadyAddresses'].push(address);
  }
  return [...groups.values()].map((s) => {
    const subset: J = { ports: s.ports };
    if (s.addresses.length) subset.addresses = s.addresses.sort((a: J, b: J) => a.ip.localeCompare(b.ip));
    if (s.notReadyAddresses.length) subset.notReadyAddresses = s.notReadyAddresses.sort((a: J, b: J) => a.ip.localeCompare(b.ip));
    return subset;
  });
}

function resolvePort(pod: J, target: number | string): number | undefined {
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === target) return p.containerPort;
  return undefined;
}
