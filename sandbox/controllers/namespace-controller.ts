import { ApiError } from '../apiserver/api-error.ts';
import type { KObject } from '../apiserver/resource-type.ts';
import { WorkQueue } from './work-queue.ts';
import type { Controller, ControllerContext } from './controller-context.ts';

/**
 * Namespace lifecycle plus the ServiceAccount controller's one job: every active namespace gets a
 * `default` ServiceAccount; a terminating namespace has its contents deleted, then its
 * `kubernetes` finalizer removed so it goes away.
 */
export function startNamespaceController(ctx: ControllerContext): Controller {
  const namespaces = ctx.type('', 'namespaces');
  const serviceAccounts = ctx.type('', 'serviceaccounts');
  const queue = new WorkQueue('namespace', (name) => {
    const ns = ctx.api.find(namespaces, undefined, name) as (KObject & { spec?: { finalizers?: string[] } }) | undefined;
    if (!ns) return;
    if (!ns.metadata.deletionTimestamp) {
      if (!ctx.api.find(serviceAccounts, name, 'default')) ctx.api.create(serviceAccounts, name, { metadata: { name: 'default' } }, ctx.user);
      return;
    }
    let remaining = 0;
    for (const t of ctx.api.registry.storageTypes()) {
      if (!t.namespaced) continue;
      for (const o of ctx.api.list(t, name).items) {
        remaining++;
        if (o.metadata.deletionTimestamp) continue;
        try {
          ctx.api.delete(t, name, o.metadata.name!, { propagationPolicy: 'Background' });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
    }
    if (remaining > 0) {
      queue.addAfter(name, 200);
      return;
    }
    if (ns.spec?.finalizers?.length) ctx.api.update(namespaces, undefined, name, { ...ns, spec: { ...ns.spec, finalizers: [] } }, '', ctx.user);
  });
  ctx.onEvent((e) => {
    if (e.storageKey === '/namespaces' && e.type !== 'DELETED') queue.add(e.object.metadata.name!);
    else if (e.type === 'DELETED' && e.object.metadata.namespace) {
      if (e.storageKey === '/serviceaccounts' && e.object.metadata.name === 'default') queue.add(e.object.metadata.namespace);
    }
  });
  return { stop: () => queue.stop() };
}
