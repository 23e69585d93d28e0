import { ApiError } from '../apiserver/api-error.ts';
import type { KObject } from '../apiserver/resource-type.ts';
import { WorkQueue } from './work-queue.ts';
import type { Controller, ControllerContext } from './controller-context.ts';

const FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** A deleted CRD first deletes all its custom resources (honouring their finalizers), then goes. */
export function startCrdCleanup(ctx: ControllerContext): Controller {
  const crds = ctx.type('apiextensions.k8s.io', 'customresourcedefinitions');
  const queue = new WorkQueue('crd-cleanup', (name) => {
    const crd = ctx.api.find(crds, undefined, name);
    if (!crd?.metadata.deletionTimestamp || !crd.metadata.finalizers?.includes(FINALIZER)) return;
    const t = ctx.api.registry.all().find((x) => x.crdName === name);
    const items: KObject[] = t ? ctx.api.list(t, undefined).items : [];
    for (const o of items) {
      if (o.metadata.deletionTimestamp) continue;
      try {
        ctx.api.delete(t!, o.metadata.namespace, o.metadata.name!, { propagationPolicy: 'Background' });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    if (items.length) {
      queue.addAfter(name, 200);
      return;
    }
    const finalizers = crd.metadata.finalizers.filter((f) => f !== FINALIZER);
    ctx.api.update(crds, undefined, name, { ...crd, metadata: { ...crd.metadata, finalizers } }, '', ctx.user);
  });
  ctx.onEvent((e) => {
    if (e.storageKey === 'apiextensions.k8s.io/customresourcedefinitions' && e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp)
      queue.add(e.object.metadata.name!);
  });
  return { stop: () => queue.stop() };
}
