import { jsonEqual } from './json-equal.ts';
import fastJsonPatch from 'fast-json-patch';
import { parse as parseYaml } from 'yaml';
import { ApiError, alreadyExists, badRequest, conflict, gone, invalid, notFound, type StatusCause } from './api-error.ts';
import { admitBuiltin } from './builtin-admission.ts';
import { checkBuiltinFields } from './builtin-field-schema.ts';
import { ClusterIpAllocator } from './cluster-ip-allocator.ts';
import { applyCrdDefaults, establishedStatus, typesOfCrd, validateCrd } from './custom-resources.ts';
import { matchesFields, parseFieldSelector } from './field-selector.ts';
import { matchesLabels, parseLabelSelector } from './label-selector.ts';
import { builtinListSemantics, schemaListSemantics, type ListSemanticsResolver } from './list-semantics.ts';
import { applyMergePatch } from './merge-patch.ts';
import { generatedName, newUid, timestamp, validateLabels, validateName, validateOwnerReferences } from './object-meta.ts';
import { objectKey, type ObjectStore, type StoreEvent } from './object-store.ts';
import type { ResourceRegistry } from './resource-registry.ts';
import { apiVersionOf, storageKeyOf, type KObject, type ManagedFieldsEntry, type ResourceType } from './resource-type.ts';
import { toScale, withScale } from './scale.ts';
import { recordUpdate, serverSideApply, type FieldScope } from './server-side-apply.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { applyDefaults, pruneUnknownFields, validateAgainstSchema } from './structural-schema.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- objects are loosely-typed JSON

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** The manager recorded for non-apply writes without fieldManager (apiserver: the User-Agent's product). */
  defaultFieldManager?: string;
  fieldValidation?: FieldValidation;
  /** Filled with warnings for the `Warning` response header (pruned unknown fields under Warn). */
  warnings?: string[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  bookmarkIntervalMs?: number;
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface ListResult {
  items: KObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type WatchSink = (type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR', object: KObject | Record<string, unknown>) => void;

const FINALIZER_ORPHAN = 'orphan';
const FINALIZER_FOREGROUND = 'foregroundDeletion';
const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/**
 * The REST semantics of the Kubernetes API over the object store: admission (defaulting,
 * validation, pruning), optimistic concurrency, generation, managed fields, patches, deletion
 * with finalizers and grace periods, and watches. The HTTP layer and the in-process controllers
 * both call it. Returned objects are shared with the store: callers must not mutate them.
 */
export class ResourceApi {
  readonly ips = new ClusterIpAllocator();

  constructor(
    readonly registry: ResourceRegistry,
    readonly store: ObjectStore,
  ) {
    store.subscribe((e) => this.onStoreEvent(e));
  }

  get(t: ResourceType, namespace: string | undefined, name: string, subresource?: string): KObject {
    const obj = this.mustGet(t, namespace, name);
    if (subresource === 'scale') return toScale(obj, this.scaleOf(t));
    return present(t, obj);
  }

  find(t: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    const obj = this.store.get(storageKeyOf(t), t.namespaced ? namespace : undefined, name);
    return obj && present(t, obj);
  }

  list(t: ResourceType, namespace: string | undefined, opts: ListOptions = {}): ListResult {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector, t.fieldSelectors);
    let start = '';
    if (opts.continue) {
      let token: { rv: number; start: string };
      try {
        token = JSON.parse(Buffer.from(opts.continue, 'base64url').toString()) as { rv: number; start: string };
      } catch {
        throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
      }
      if (token.rv < this.store.oldestWatchableRevision(storageKeyOf(t)))
        throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      start = token.start;
    }
    const oldest = this.store.oldestWatchableRevision(storageKeyOf(t));
    if (opts.resourceVersionMatch === 'Exact' && opts.resourceVersion && Number(opts.resourceVersion) < oldest)
      throw gone(`too old resource version: ${opts.resourceVersion} (${oldest})`);
    const all = this.store
      .list(storageKeyOf(t), t.namespaced ? namespace : undefined)
      .filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, t.fieldSelectors, o))
      .map((o) => [objectKey(o.metadata.namespace, o.metadata.name!), o] as const)
      .filter(([k]) => k > start)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const rv = String(this.store.currentRevision());
    const limit = opts.limit && opts.limit > 0 ? opts.limit : all.length;
    const page = all.slice(0, limit);
    const result: ListResult = { items: page.map(([, o]) => present(t, o)), resourceVersion: rv };
    if (all.length > limit) {
      result.continue = Buffer.from(JSON.stringify({ rv: Number(rv), start: page[page.length - 1]![0] })).toString('base64url');
      result.remainingItemCount = all.length - limit;
    }
    return result;
  }

  /** Streams changes to the sink until the returned function is called. */
  watch(t: ResourceType, namespace: string | undefined, opts: WatchOptions, sink: WatchSink): () => void {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector, t.fieldSelectors);
    const key = storageKeyOf(t);
    const ns = t.namespaced ? namespace : undefined;
    const matches = (o: KObject | undefined): boolean =>
      !!o && (!ns || o.metadata.namespace === ns) && matchesLabels(labels, o.metadata.labels) && matchesFields(fields, t.fieldSelectors, o);
    const deliver = (e: StoreEvent): void => {
      if (e.storageKey !== key) return;
      const now = matches(e.object);
      const was = e.type === 'MODIFIED' && matches(e.previous);
      if (e.type === 'ADDED' && now) sink('ADDED', present(t, e.object));
      else if (e.type === 'DELETED' && now) sink('DELETED', present(t, e.object));
      else if (e.type === 'MODIFIED' && now) sink(was ? 'MODIFIED' : 'ADDED', present(t, e.object));
      else if (e.type === 'MODIFIED' && was) sink('DELETED', present(t, e.object));
    };
    const bookmark = (annotations?: Record<string, string>): void =>
      sink('BOOKMARK', {
        kind: t.kind,
        apiVersion: apiVersionOf(t),
        metadata: { resourceVersion: String(this.store.currentRevision()), ...(annotations ? { annotations } : {}) },
      });
    const rv = opts.resourceVersion;
    if (rv && rv !== '0' && !/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
    if (!rv || rv === '0' || opts.sendInitialEvents) {
      for (const o of this.store.list(key, ns).filter(matches)) sink('ADDED', present(t, o));
      if (opts.sendInitialEvents && opts.allowWatchBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      const events = this.store.eventsSince(key, Number(rv));
      if (!events) {
        sink('ERROR', new ApiError(410, 'Expired', `too old resource version: ${rv} (${this.store.oldestWatchableRevision(key)})`).toStatus());
        return () => undefined;
      }
      for (const e of events) deliver(e);
    }
    const unsubscribe = this.store.subscribe(deliver);
    const timer = opts.allowWatchBookmarks ? setInterval(() => bookmark(), opts.bookmarkIntervalMs ?? 10_000) : undefined;
    timer?.unref();
    return () => {
      unsubscribe();
      if (timer) clearInterval(timer);
    };
  }

  create(t: ResourceType, namespace: string | undefined, body: unknown, user: string, opts: WriteOptions = {}, applied?: ManagedFieldsEntry[]): KObject {
    const obj = this.decode(t, body);
    const meta = obj.metadata;
    if (t.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = namespace ?? meta.namespace;
      if (!meta.namespace) throw badRequest('the server could not find the requested resource: a namespace is required');
      const ns = this.store.get('/namespaces', undefined, meta.namespace);
      if (!ns) throw notFound('', 'namespaces', meta.namespace);
      if (ns.metadata.deletionTimestamp)
        throw new ApiError(403, 'Forbidden', `${t.plural} "${meta.name ?? meta.generateName ?? ''}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`, {
          name: meta.name,
          group: t.group,
          kind: t.plural,
          causes: [{ reason: 'NamespaceTerminating', message: `namespace ${meta.namespace} is being terminated`, field: 'metadata.namespace' }],
        });
    } else delete meta.namespace;
    if (!meta.name) {
      if (!meta.generateName) throw invalid(t.kind, t.group, '', [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
      meta.name = generatedName(meta.generateName);
    }
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (this.store.get(storageKeyOf(t), meta.namespace, meta.name)) throw alreadyExists(t.group, t.plural, meta.name);
    for (const k of ['uid', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']) delete meta[k];
    meta.uid = newUid();
    meta.creationTimestamp = timestamp();
    if (t.generation !== 'none') meta.generation = 1;
    else delete meta.generation;
    if (t.statusSubresource && t.crdName) delete obj.status;
    if (t.group === 'apiextensions.k8s.io' && t.kind === 'CustomResourceDefinition')
      meta.finalizers = [...new Set([...(meta.finalizers ?? []), CRD_CLEANUP_FINALIZER])];
    this.admit(t, obj, undefined, opts);
    if (t.kind === 'Pod' && t.group === '') this.checkServiceAccount(obj);
    meta.managedFields = applied ?? recordUpdate(undefined, obj, this.manager(t, opts, user), this.listsOf(t), this.scopeOf(t, ''));
    if (!meta.managedFields) delete meta.managedFields;
    if (opts.dryRun) return present(t, obj);
    const stored = this.store.put(storageKeyOf(t), obj);
    if (t.kind === 'CustomResourceDefinition' && t.group === 'apiextensions.k8s.io') return present(t, this.establish(stored));
    return present(t, stored);
  }

  update(t: ResourceType, namespace: string | undefined, name: string, body: unknown, subresource: string, user: string, opts: WriteOptions = {}): KObject {
    const existing = this.mustGet(t, namespace, name);
    if (subresource === 'scale') return toScale(this.updateObject(t, existing, withScale(existing, body as J, this.scaleOf(t)), '', user, opts), this.scaleOf(t));
    return present(t, this.updateObject(t, existing, this.decode(t, body), subresource, user, opts));
  }

  patch(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    raw: string,
    subresource: string,
    user: string,
    opts: WriteOptions & { force?: boolean } = {},
  ): KObject {
    const existing = this.store.get(storageKeyOf(t), t.namespaced ? namespace : undefined, name);
    if (type === 'apply') return this.apply(t, namespace, name, existing, raw, subresource, user, opts);
    if (!existing) throw notFound(t.group, t.plural, name);
    const scale = subresource === 'scale' ? this.scaleOf(t) : undefined;
    const current = scale ? toScale(existing, scale) : present(t, existing);
    const patch = parseJson(raw);
    let patched: unknown;
    switch (type) {
      case 'json':
        if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
        try {
          patched = fastJsonPatch.applyPatch(structuredClone(current), patch as fastJsonPatch.Operation[], true, false).newDocument;
        } catch (err) {
          throw new ApiError(422, 'Invalid', (err as Error).message.split('\n')[0]!);
        }
        break;
      case 'merge':
        patched = applyMergePatch(current, patch);
        break;
      case 'strategic':
        if (t.crdName) throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
        patched = applyStrategicMergePatch(current, patch, this.listsOf(t));
        break;
    }
    if (scale) return toScale(this.updateObject(t, existing, withScale(existing, patched as J, scale), '', user, opts), scale);
    return present(t, this.updateObject(t, existing, this.decode(t, patched), subresource, user, opts));
  }

  delete(t: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions, opts: WriteOptions = {}): KObject | Record<string, unknown> {
    const existing = this.mustGet(t, namespace, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== existing.metadata.uid)
      throw conflict(t.group, t.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion)
      throw conflict(t.group, t.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`);
    const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : 'Background');
    if (!['Orphan', 'Background', 'Foreground'].includes(policy))
      throw invalid('DeleteOptions', '', '', [{ field: 'propagationPolicy', reason: 'FieldValueNotSupported', message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"` }]);
    const grace = this.gracePeriod(t, existing, options);
    if (opts.dryRun) return present(t, existing);
    const next = structuredClone(existing) as J;
    const finalizers: string[] = [...(existing.metadata.finalizers ?? [])];
    if (policy === 'Orphan' && !finalizers.includes(FINALIZER_ORPHAN)) finalizers.push(FINALIZER_ORPHAN);
    if (policy === 'Foreground' && !finalizers.includes(FINALIZER_FOREGROUND)) finalizers.push(FINALIZER_FOREGROUND);
    if (finalizers.length) next.metadata.finalizers = finalizers;
    const specFinalizers = t.kind === 'Namespace' && t.group === '' ? (existing as J).spec?.finalizers ?? [] : [];
    if (existing.metadata.deletionTimestamp) {
      if (grace === 0 && !finalizers.length && !specFinalizers.length) return this.removed(t, this.store.remove(storageKeyOf(t), existing));
      const deadline = Date.now() + grace * 1000;
      if (grace < (existing.metadata.deletionGracePeriodSeconds ?? 0) || !jsonEqual(finalizers, existing.metadata.finalizers ?? [])) {
        next.metadata.deletionTimestamp = timestamp(Math.min(deadline, Date.parse(existing.metadata.deletionTimestamp)));
        next.metadata.deletionGracePeriodSeconds = Math.min(grace, existing.metadata.deletionGracePeriodSeconds ?? grace);
        return present(t, this.store.put(storageKeyOf(t), next as KObject));
      }
      return present(t, existing);
    }
    if (!finalizers.length && !specFinalizers.length && grace === 0) return this.removed(t, this.store.remove(storageKeyOf(t), existing));
    next.metadata.deletionTimestamp = timestamp(Date.now() + grace * 1000);
    next.metadata.deletionGracePeriodSeconds = grace;
    if (next.metadata.generation) next.metadata.generation++;
    if (t.kind === 'Namespace' && t.group === '') next.status = { ...next.status, phase: 'Terminating' };
    return present(t, this.store.put(storageKeyOf(t), next as KObject));
  }

  deleteCollection(t: ResourceType, namespace: string | undefined, listOpts: ListOptions, options: DeleteOptions, opts: WriteOptions = {}): KObject {
    const items = this.list(t, namespace, { labelSelector: listOpts.labelSelector, fieldSelector: listOpts.fieldSelector }).items;
    const deleted: unknown[] = [];
    for (const o of items) {
      try {
        deleted.push(this.delete(t, o.metadata.namespace, o.metadata.name!, options, opts));
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return { apiVersion: apiVersionOf(t), kind: t.listKind, metadata: { resourceVersion: String(this.store.currentRevision()) }, items: deleted };
  }

  /** pods/binding: assigns a pending pod to a node, as the scheduler does. */
  bind(namespace: string, podName: string, binding: J, user: string): Record<string, unknown> {
    const podType = this.registry.find('', 'v1', 'pods')!;
    const pod = this.mustGet(podType, namespace, podName) as J;
    const target = binding?.target;
    if (!target?.name) throw invalid('Binding', '', podName, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
    if (pod.spec.nodeName) throw conflict('', 'pods', podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
    if (pod.metadata.deletionTimestamp) throw conflict('', 'pods', podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
    const next = structuredClone(pod);
    next.spec.nodeName = target.name;
    const conditions = (next.status.conditions ?? []).filter((c: J) => c.type !== 'PodScheduled');
    next.status.conditions = [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp() }];
    next.metadata.managedFields = recordUpdate(pod as KObject, next as KObject, { manager: user, apiVersion: 'v1', subresource: 'binding' }, this.listsOf(podType), () => true);
    this.store.put(storageKeyOf(podType), next as KObject);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }

  private apply(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    existing: KObject | undefined,
    raw: string,
    subresource: string,
    user: string,
    opts: WriteOptions & { force?: boolean },
  ): KObject {
    if (!opts.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
    let applied: J;
    try {
      applied = parseYaml(raw) as J;
    } catch (err) {
      throw badRequest(`error decoding YAML: ${(err as Error).message}`);
    }
    if (!applied || typeof applied !== 'object' || Array.isArray(applied)) throw badRequest('apply patch must be an object');
    if (applied.apiVersion !== apiVersionOf(t) || applied.kind !== t.kind)
      throw badRequest(`the API version in the data (${applied.apiVersion}) does not match the expected API version (${apiVersionOf(t)}) or kind (${applied.kind}) does not match ${t.kind}`);
    applied.metadata ??= {};
    if (applied.metadata.name && applied.metadata.name !== name)
      throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    applied.metadata.name = name;
    if (t.namespaced) {
      if (applied.metadata.namespace && applied.metadata.namespace !== namespace)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      applied.metadata.namespace = namespace;
    }
    if (subresource && !existing) throw notFound(t.group, t.plural, name);
    if (t.schema) this.reportPruned(t, pruneUnknownFields(applied, t.schema), opts);
    else this.checkDecoding(t, applied, opts);
    const id = { manager: opts.fieldManager, apiVersion: apiVersionOf(t), ...(subresource ? { subresource } : {}) };
    const merged = serverSideApply(existing && present(t, existing), applied as KObject, id, opts.force ?? false, this.listsOf(t), this.scopeOf(t, subresource));
    if (!existing) return this.create(t, namespace, merged, user, opts, merged.metadata.managedFields ?? []);
    if (applied.metadata.resourceVersion) merged.metadata.resourceVersion = applied.metadata.resourceVersion;
    else merged.metadata.resourceVersion = existing.metadata.resourceVersion;
    return present(t, this.updateObject(t, existing, merged, subresource, user, opts, merged.metadata.managedFields ?? []));
  }

  /** The shared update path of PUT and non-apply PATCH (and apply on an existing object). */
  private updateObject(
    t: ResourceType,
    existing: KObject,
    incoming: KObject,
    subresource: string,
    user: string,
    opts: WriteOptions,
    managedFields?: ManagedFieldsEntry[],
  ): KObject {
    const name = existing.metadata.name!;
    if (incoming.metadata.name && incoming.metadata.name !== name)
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    if (t.namespaced && incoming.metadata.namespace && incoming.metadata.namespace !== existing.metadata.namespace)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (incoming.metadata.uid && incoming.metadata.uid !== existing.metadata.uid)
      throw conflict(t.group, t.plural, name, `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${existing.metadata.uid}`);
    const rv = incoming.metadata.resourceVersion;
    if (rv && rv !== existing.metadata.resourceVersion)
      throw conflict(t.group, t.plural, name, 'the object has been modified; please apply your changes to the latest version and try again');
    let next: J;
    if (subresource === 'status') next = { ...structuredClone(existing), status: structuredClone((incoming as J).status) };
    else {
      next = structuredClone(incoming);
      if (t.statusSubresource) {
        if ((existing as J).status === undefined) delete next.status;
        else next.status = structuredClone((existing as J).status);
      }
    }
    if (next.status === undefined) delete next.status;
    const old = existing.metadata;
    const meta = (next.metadata = subresource === 'status' ? { ...next.metadata } : { ...incoming.metadata });
    for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace', 'name', 'generation'] as const) {
      if (old[k] === undefined) delete meta[k];
      else meta[k] = old[k];
    }
    if (old.deletionTimestamp) {
      const added = (meta.finalizers ?? []).filter((f: string) => !(old.finalizers ?? []).includes(f));
      if (added.length)
        throw invalid(t.kind, t.group, name, [{ reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
    }
    if (!meta.finalizers?.length) delete meta.finalizers;
    next.apiVersion = existing.apiVersion;
    next.kind = existing.kind;
    if (subresource !== 'status' || t.schema) this.admit(t, next as KObject, existing, opts);
    if (t.generation !== 'none') meta.generation = (old.generation ?? 1) + (this.specChanged(t, existing, next as KObject) ? 1 : 0);
    const scope = this.scopeOf(t, subresource);
    meta.managedFields = managedFields ?? recordUpdate(existing, next as KObject, this.manager(t, opts, user, subresource), this.listsOf(t), scope);
    if (!meta.managedFields?.length) delete meta.managedFields;
    meta.resourceVersion = old.resourceVersion;
    if (jsonEqual(withoutTimes(next), withoutTimes(existing))) return existing;
    if (opts.dryRun) return next as KObject;
    const specFinalizers = t.kind === 'Namespace' && t.group === '' ? next.spec?.finalizers ?? [] : [];
    // The last finalizer gone ends a deletion, unless a pod still waits for its kubelet (grace > 0).
    if (old.deletionTimestamp && !meta.finalizers?.length && !specFinalizers.length && !(old.deletionGracePeriodSeconds ?? 0))
      return this.store.remove(storageKeyOf(t), next as KObject);
    return this.store.put(storageKeyOf(t), next as KObject);
  }

  /** Pods wait for the kubelet's final grace-0 delete; everything else goes once finalizers are gone. */
  private graceful(t: ResourceType): boolean {
    return t.kind === 'Pod' && t.group === '';
  }

  private gracePeriod(t: ResourceType, existing: KObject, options: DeleteOptions): number {
    if (!this.graceful(t)) return 0;
    const pod = existing as J;
    if (!pod.spec?.nodeName || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
    const grace = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, grace);
  }

  private removed(t: ResourceType, last: KObject): KObject | Record<string, unknown> {
    if (this.graceful(t) || t.crdName || t.kind === 'Namespace') return present(t, last);
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: last.metadata.name, group: t.group, kind: t.plural, uid: last.metadata.uid },
    };
  }

  private admit(t: ResourceType, obj: KObject, old: KObject | undefined, opts: WriteOptions): void {
    const causes: StatusCause[] = [...validateName(t.kind, obj.metadata.name!), ...validateLabels(obj.metadata.labels), ...validateOwnerReferences(obj.metadata.ownerReferences)];
    if (t.schema) {
      this.reportPruned(t, pruneUnknownFields(obj, t.schema), opts);
      applyDefaults(obj, t.schema);
      causes.push(...validateAgainstSchema(obj, t.schema));
    } else if (t.kind === 'CustomResourceDefinition' && t.group === 'apiextensions.k8s.io') {
      this.checkDecoding(t, obj, opts);
      applyCrdDefaults(obj);
      causes.push(...validateCrd(obj));
    } else {
      this.checkDecoding(t, obj, opts);
      causes.push(...admitBuiltin(t.kind, obj, old, this.ips));
    }
    if (causes.length) throw invalid(t.kind, t.group, obj.metadata.name ?? '', causes);
  }

  /** Built-in kinds decode into Go structs in Kubernetes: wrong value types fail, unknown fields drop. */
  private checkDecoding(t: ResourceType, obj: J, opts: WriteOptions): void {
    const { unknown, mistyped } = checkBuiltinFields(t.kind, obj);
    if (mistyped.length) throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: ${mistyped[0]}`);
    this.reportPruned(t, unknown, opts);
  }

  /** Unknown fields are dropped; `fieldValidation` decides whether that is an error, a warning or silent. */
  private reportPruned(t: ResourceType, pruned: string[], opts: WriteOptions): void {
    if (!pruned.length || opts.fieldValidation === 'Ignore') return;
    if (opts.fieldValidation === 'Strict')
      throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${pruned.map((p) => `unknown field "${p}"`).join(', ')}`);
    opts.warnings?.push(...pruned.map((p) => `unknown field "${p}"`));
  }

  private specChanged(t: ResourceType, before: KObject, after: KObject): boolean {
    if (t.generation === 'spec') return !jsonEqual((before as J).spec, (after as J).spec);
    const rest = (o: KObject): J => {
      const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...others } = o as J;
      return others;
    };
    return !jsonEqual(rest(before), rest(after));
  }

  private checkServiceAccount(pod: J): void {
    const sa = pod.spec.serviceAccountName;
    if (this.store.get('/serviceaccounts', pod.metadata.namespace, sa)) return;
    throw new ApiError(403, 'Forbidden', `pods "${pod.metadata.name}" is forbidden: error looking up service account ${pod.metadata.namespace}/${sa}: serviceaccount "${sa}" not found`, {
      name: pod.metadata.name,
      kind: 'pods',
    });
  }

  private establish(crd: KObject): KObject {
    const next = { ...structuredClone(crd), status: establishedStatus(crd, timestamp()) } as KObject;
    this.registerCrd(next);
    return this.store.put('apiextensions.k8s.io/customresourcedefinitions', next);
  }

  /** Serves (again) the versions of a CRD: on create and whenever its spec changes. */
  private registerCrd(crd: KObject): void {
    this.registry.removeCrd(crd.metadata.name!);
    const spec = (crd as J).spec;
    const storage = (spec.versions as J[]).find((v) => v.storage)?.name;
    for (const type of typesOfCrd(crd)) this.registry.add(type, type.version === storage);
  }

  private onStoreEvent(e: StoreEvent): void {
    if (e.storageKey === '/services' && e.type === 'DELETED') this.ips.release((e.object as J).spec?.clusterIP);
    if (e.storageKey !== 'apiextensions.k8s.io/customresourcedefinitions') return;
    if (e.type === 'DELETED') {
      const spec = (e.object as J).spec;
      this.registry.removeCrd(e.object.metadata.name!);
      this.store.dropCollection(`${spec.group}/${spec.names.plural}`);
    } else if (e.type === 'MODIFIED' && !jsonEqual((e.previous as J)?.spec, (e.object as J).spec)) this.registerCrd(e.object);
  }

  private decode(t: ResourceType, body: unknown): KObject {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the body of the request is not a ${t.kind} object`);
    const obj = structuredClone(body) as J;
    if (obj.kind !== undefined && obj.kind !== t.kind)
      throw badRequest(`the body of the request was of kind "${obj.kind}" but the endpoint serves "${t.kind}"`);
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(t))
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(t)})`);
    obj.apiVersion = apiVersionOf(t);
    obj.kind = t.kind;
    obj.metadata = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {};
    return obj as KObject;
  }

  private mustGet(t: ResourceType, namespace: string | undefined, name: string): KObject {
    const obj = this.store.get(storageKeyOf(t), t.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(t.group, t.plural, name);
    return obj;
  }

  private scaleOf(t: ResourceType): NonNullable<ResourceType['scale']> {
    if (!t.scale) throw notFound(t.group, `${t.plural}/scale`, '');
    if (t.crdName) return t.scale;
    return { ...t.scale, labelSelectorPath: '.status.selector' };
  }

  private listsOf(t: ResourceType): ListSemanticsResolver {
    return t.schema ? schemaListSemantics(t.schema) : builtinListSemantics(t.kind);
  }

  private scopeOf(t: ResourceType, subresource: string): FieldScope {
    if (subresource === 'status') return (k) => k === 'status';
    if (t.statusSubresource) return (k) => k !== 'status';
    return () => true;
  }

  private manager(t: ResourceType, opts: WriteOptions, user: string, subresource?: string): { manager: string; apiVersion: string; subresource?: string } {
    return { manager: opts.fieldManager ?? opts.defaultFieldManager ?? user, apiVersion: apiVersionOf(t), ...(subresource ? { subresource } : {}) };
  }
}

/** The object as served through one version: apiVersion and kind of that version. */
export function present(t: ResourceType, obj: KObject): KObject {
  const apiVersion = apiVersionOf(t);
  if (obj.apiVersion === apiVersion && obj.kind === t.kind) return obj;
  return { ...obj, apiVersion, kind: t.kind };
}

function withoutTimes(o: J): unknown {
  const managed = (o.metadata.managedFields as ManagedFieldsEntry[] | undefined)?.map((e) => ({ ...e, time: undefined }));
  return JSON.parse(JSON.stringify({ ...o, metadata: { ...o.metadata, managedFields: managed } }));
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}
