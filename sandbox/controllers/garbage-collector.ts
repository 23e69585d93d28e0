import { ApiError } from '../apiserver/api-error.ts';
import type { StoreEvent } from '../apiserver/object-store.ts';
import type { KObject, OwnerReference } from '../apiserver/resource-type.ts';
import { WorkQueue } from './work-queue.ts';
import type { Controller, ControllerContext } from './controller-context.ts';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

interface Ref {
  storageKey: string;
  namespace: string | undefined;
  name: string;
}

/**
 * The garbage collector: deletes dependents whose owners (by ownerReference uid) are all gone,
 * drops dangling references when some owners remain, orphans dependents of owners deleted with
 * `propagationPolicy: Orphan`, and for `Foreground` deletes dependents first, keeping the owner
 * (with its `foregroundDeletion` finalizer) until no dependent with blockOwnerDeletion is left.
 */
export function startGarbageCollector(ctx: ControllerContext): Controller {
  const live = new Map<string, Ref>();
  const dependents = new Map<string, Set<string>>();
  const refKey = (r: Ref): string => `${r.storageKey}|${r.namespace ?? ''}|${r.name}`;
  const parseRef = (k: string): Ref => {
    const [storageKey, namespace, name] = k.split('|') as [string, string, string];
    return { storageKey, namespace: namespace || undefined, name };
  };
  const lookup = (r: Ref): KObject | undefined => {
    const t = ctx.typeOfStorage(r.storageKey);
    return t && ctx.api.find(t, r.namespace, r.name);
  };

  const dependentQueue = new WorkQueue('garbage-collector', (k) => attemptToDelete(parseRef(k)));
  const ownerQueue = new WorkQueue('garbage-collector-owner', (k) => processDeletingOwner(parseRef(k)));

  function attemptToDelete(r: Ref): void {
    const obj = lookup(r);
    if (!obj?.metadata.ownerReferences?.length || obj.metadata.deletionTimestamp) return;
    const refs = obj.metadata.ownerReferences;
    const alive = refs.filter((o) => live.has(o.uid));
    const t = ctx.typeOfStorage(r.storageKey)!;
    if (alive.length === 0) {
      const foreground = refs.some((o) => o.blockOwnerDeletion && deletingInForeground(o));
      try {
        ctx.api.delete(t, r.namespace, r.name, { propagationPolicy: foreground ? 'Foreground' : 'Background', preconditions: { uid: obj.metadata.uid } });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    } else if (alive.length < refs.length) {
      ctx.api.patch(t, r.namespace, r.name, 'merge', JSON.stringify({ metadata: { ownerReferences: alive, resourceVersion: obj.metadata.resourceVersion } }), '', ctx.user);
    }
  }

  function deletingInForeground(o: OwnerReference): boolean {
    const ref = live.get(o.uid);
    const owner = ref && lookup(ref);
    return !!owner?.metadata.deletionTimestamp && !!owner.metadata.finalizers?.includes(FOREGROUND);
  }

  function processDeletingOwner(r: Ref): void {
    const owner = lookup(r);
    if (!owner?.metadata.deletionTimestamp) return;
    const uid = owner.metadata.uid!;
    const deps = [...(dependents.get(uid) ?? [])].map((k) => [k, lookup(parseRef(k))] as const).filter(([, d]) => d?.metadata.ownerReferences?.some((o) => o.uid === uid));
    const finalizers = owner.metadata.finalizers ?? [];
    const t = ctx.typeOfStorage(r.storageKey)!;
    if (finalizers.includes(ORPHAN)) {
      for (const [k, d] of deps) {
        const dt = ctx.typeOfStorage(parseRef(k).storageKey)!;
        const rest = d!.metadata.ownerReferences!.filter((o) => o.uid !== uid);
        ctx.api.patch(dt, d!.metadata.namespace, d!.metadata.name!, 'merge', JSON.stringify({ metadata: { ownerReferences: rest.length ? rest : null } }), '', ctx.user);
      }
      removeFinalizer(t, owner, ORPHAN);
      return;
    }
    if (!finalizers.includes(FOREGROUND)) return;
    let blocking = 0;
    for (const [k, d] of deps) {
      const ref = d!.metadata.ownerReferences!.find((o) => o.uid === uid)!;
      if (ref.blockOwnerDeletion) blocking++;
      if (d!.metadata.deletionTimestamp) continue;
      const others = d!.metadata.ownerReferences!.filter((o) => o.uid !== uid && live.has(o.uid));
      const dr = parseRef(k);
      const dt = ctx.typeOfStorage(dr.storageKey)!;
      if (others.length) {
        ctx.api.patch(dt, dr.namespace, dr.name, 'merge', JSON.stringify({ metadata: { ownerReferences: others } }), '', ctx.user);
        if (ref.blockOwnerDeletion) blocking--;
        continue;
      }
      try {
        ctx.api.delete(dt, dr.namespace, dr.name, { propagationPolicy: ref.blockOwnerDeletion ? 'Foreground' : 'Background' });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    if (blocking === 0) removeFinalizer(t, owner, FOREGROUND);
  }

  function removeFinalizer(t: ReturnType<ControllerContext['type']>, owner: KObject, finalizer: string): void {
    const finalizers = (owner.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    ctx.api.update(t, owner.metadata.namespace, owner.metadata.name!, { ...owner, metadata: { ...owner.metadata, finalizers } }, '', ctx.user);
  }

  function index(e: StoreEvent): void {
    const o = e.object;
    const ref: Ref = { storageKey: e.storageKey, namespace: o.metadata.namespace, name: o.metadata.name! };
    const key = refKey(ref);
    const uid = o.metadata.uid!;
    for (const old of e.previous?.metadata.ownerReferences ?? []) dependents.get(old.uid)?.delete(key);
    if (e.type === 'DELETED') {
      live.delete(uid);
      for (const owner of o.metadata.ownerReferences ?? []) dependents.get(owner.uid)?.delete(key);
      for (const d of dependents.get(uid) ?? []) dependentQueue.add(d);
      for (const owner of o.metadata.ownerReferences ?? []) {
        const ownerRef = live.get(owner.uid);
        if (ownerRef) ownerQueue.add(refKey(ownerRef));
      }
      return;
    }
    live.set(uid, ref);
    for (const owner of o.metadata.ownerReferences ?? []) {
      if (!dependents.has(owner.uid)) dependents.set(owner.uid, new Set());
      dependents.get(owner.uid)!.add(key);
      if (!live.has(owner.uid)) dependentQueue.add(key);
      else {
        const ownerRef = live.get(owner.uid)!;
        if (o.metadata.deletionTimestamp) ownerQueue.add(refKey(ownerRef));
      }
    }
    const f = o.metadata.finalizers ?? [];
    if (o.metadata.deletionTimestamp && (f.includes(ORPHAN) || f.includes(FOREGROUND))) ownerQueue.add(key);
  }

  ctx.onEvent(index);
  return {
    stop: () => {
      dependentQueue.stop();
      ownerQueue.stop();
    },
  };
}
