import type { KObject } from './resource-type.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  storageKey: string;
  resourceVersion: number;
  /** The object after the change (for DELETED: its last state, stamped with the deletion's resourceVersion). */
  object: KObject;
  /** The state before a MODIFIED change, so selector-filtered watches can turn it into ADDED/DELETED. */
  previous?: KObject;
}

export type StoreListener = (event: StoreEvent) => void;

/** The changes of one collection that watches can replay, bounded like the watch cache. */
interface History {
  events: StoreEvent[];
  start: number;
  /** resourceVersion of the newest change dropped from this history (0: nothing dropped). */
  evictedThrough: number;
}

/**
 * The in-memory equivalent of etcd plus the apiserver's watch cache: objects per group-resource,
 * one global resourceVersion counter, and per collection a bounded history of changes that
 * watches replay from (so churn in one resource never expires another's resourceVersions).
 * Stored objects are never mutated in place, so events and readers may share them.
 */
export class ObjectStore {
  private revision = 1;
  private readonly collections = new Map<string, Map<string, KObject>>();
  private readonly histories = new Map<string, History>();
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly historySize: number) {}

  currentRevision(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch on this collection can still start from. */
  oldestWatchableRevision(storageKey: string): number {
    return this.histories.get(storageKey)?.evictedThrough ?? 0;
  }

  get(storageKey: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.collections.get(storageKey)?.get(objectKey(namespace, name));
  }

  list(storageKey: string, namespace?: string): KObject[] {
    const collection = this.collections.get(storageKey);
    if (!collection) return [];
    const all = [...collection.values()];
    return namespace ? all.filter((o) => o.metadata.namespace === namespace) : all;
  }

  /** Stores a new version of an object, assigning its resourceVersion. */
  put(storageKey: string, object: KObject): KObject {
    const collection = this.collectionOf(storageKey);
    const key = objectKey(object.metadata.namespace, object.metadata.name!);
    const previous = collection.get(key);
    const stored = this.stamp(object);
    collection.set(key, stored);
    this.emit(
      previous
        ? { type: 'MODIFIED', storageKey, resourceVersion: this.revision, object: stored, previous }
        : { type: 'ADDED', storageKey, resourceVersion: this.revision, object: stored },
    );
    return stored;
  }

  remove(storageKey: string, object: KObject): KObject {
    const collection = this.collectionOf(storageKey);
    collection.delete(objectKey(object.metadata.namespace, object.metadata.name!));
    const last = this.stamp(object);
    this.emit({ type: 'DELETED', storageKey, resourceVersion: this.revision, object: last });
    return last;
  }

  /** Changes after `revision` for one collection, or undefined when history no longer reaches back that far. */
  eventsSince(storageKey: string, revision: number): StoreEvent[] | undefined {
    const history = this.histories.get(storageKey);
    if (!history) return [];
    if (revision < history.evictedThrough) return undefined;
    return history.events.slice(history.start).filter((e) => e.resourceVersion > revision);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Removes a whole collection without events (a CRD's storage after the CRD is gone). */
  dropCollection(storageKey: string): void {
    this.collections.delete(storageKey);
    const history = this.histories.get(storageKey);
    if (history) this.histories.set(storageKey, { events: [], start: 0, evictedThrough: this.revision });
  }

  private stamp(object: KObject): KObject {
    this.revision++;
    return { ...object, metadata: { ...object.metadata, resourceVersion: String(this.revision) } };
  }

  private emit(event: StoreEvent): void {
    let history = this.histories.get(event.storageKey);
    if (!history) this.histories.set(event.storageKey, (history = { events: [], start: 0, evictedThrough: 0 }));
    history.events.push(event);
    if (history.events.length - history.start > this.historySize) history.evictedThrough = history.events[history.start++]!.resourceVersion;
    if (history.start > 1024 && history.start * 2 > history.events.length) {
      history.events.splice(0, history.start);
      history.start = 0;
    }
    for (const l of this.listeners) l(event);
  }

  private collectionOf(storageKey: string): Map<string, KObject> {
    let c = this.collections.get(storageKey);
    if (!c) this.collections.set(storageKey, (c = new Map()));
    return c;
  }
}

export const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;
