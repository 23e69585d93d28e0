import type { StoreEvent } from '../apiserver/object-store.ts';
import type { ResourceApi } from '../apiserver/resource-api.ts';
import { storageKeyOf, type KObject, type ResourceType } from '../apiserver/resource-type.ts';

/** What a control-plane controller gets: the API (in process, no HTTP) and its identity. */
export interface ControllerContext {
  api: ResourceApi;
  user: string;
  type(group: string, plural: string): ResourceType;
  /** The served type backing a storage collection (for objects met through events). */
  typeOfStorage(storageKey: string): ResourceType | undefined;
  onEvent(listener: (e: StoreEvent) => void): void;
}

export interface Controller {
  stop(): void;
}

export function controllerContext(api: ResourceApi, name: string, subscriptions: (() => void)[]): ControllerContext {
  return {
    api,
    user: `system:controller:${name}`,
    type: (group, plural) => {
      const t = api.registry.storageTypes().find((x) => x.group === group && x.plural === plural);
      if (!t) throw new Error(`resource ${plural}.${group} is not served`);
      return t;
    },
    typeOfStorage: (key) => api.registry.storageTypes().find((t) => storageKeyOf(t) === key),
    onEvent: (listener) => subscriptions.push(api.store.subscribe(listener)),
  };
}

export const keyOf = (o: KObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function splitKey(key: string): [string | undefined, string] {
  const i = key.indexOf('/');
  const ns = key.slice(0, i);
  return [ns || undefined, key.slice(i + 1)];
}

/** The owner reference marking `owner` as the managing controller of a dependent. */
export function controllerRef(owner: KObject): Record<string, unknown> {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export const controllerOf = (o: KObject): string | undefined => o.metadata.ownerReferences?.find((r) => r.controller)?.uid;

export function isPodReady(pod: KObject): boolean {
  const conditions = ((pod as Record<string, any>).status?.conditions ?? []) as { type: string; status: string }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}
