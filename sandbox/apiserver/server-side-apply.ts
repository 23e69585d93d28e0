import { jsonEqual } from './json-equal.ts';
import { ApiError } from './api-error.ts';
import { describePath, fieldsOf, fromFieldsV1, removeAt, toFieldsV1, valueAt, type FieldSet } from './field-set.ts';
import type { ListSemanticsResolver, ListSemantics } from './list-semantics.ts';
import type { KObject, ManagedFieldsEntry } from './resource-type.ts';

type J = Record<string, unknown>;
const isObject = (v: unknown): v is J => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Which top-level fields a write through a given endpoint may own: the status subresource owns only status. */
export type FieldScope = (topLevel: string) => boolean;

interface Ownership {
  entry: ManagedFieldsEntry;
  fields: FieldSet;
}

export interface ManagerIdentity {
  manager: string;
  apiVersion: string;
  subresource?: string;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const sameManager = (e: ManagedFieldsEntry, id: ManagerIdentity, operation: string): boolean =>
  e.manager === id.manager && e.operation === operation && (e.subresource ?? '') === (id.subresource ?? '');

function ownerships(obj: KObject | undefined): Ownership[] {
  return (obj?.metadata.managedFields ?? []).map((entry) => ({ entry, fields: fromFieldsV1(entry.fieldsV1) }));
}

function encode(list: Ownership[]): ManagedFieldsEntry[] | undefined {
  const entries = list
    .filter((o) => o.fields.size > 0)
    .map((o) => ({ ...o.entry, fieldsType: 'FieldsV1' as const, fieldsV1: toFieldsV1(o.fields) }));
  return entries.length ? entries : undefined;
}

/**
 * Server-side apply: merges the applied configuration into the live object, reports fields owned
 * by other managers with different values as a 409 Conflict (unless forced), removes fields this
 * manager applied before but no longer does (when nobody else owns them), and records ownership.
 */
export function serverSideApply(
  live: KObject | undefined,
  applied: KObject,
  id: ManagerIdentity,
  force: boolean,
  lists: ListSemanticsResolver,
  scope: FieldScope,
): KObject {
  const appliedFields = fieldsOf(applied, lists, scope);
  const owners = ownerships(live);
  const conflicts: { manager: ManagedFieldsEntry; path: string }[] = [];
  for (const o of owners) {
    if (sameManager(o.entry, id, 'Apply')) continue;
    for (const path of appliedFields)
      if (o.fields.has(path) && !isItemNode(path) && !jsonEqual(valueAt(live, path), valueAt(applied, path))) conflicts.push({ manager: o.entry, path });
  }
  if (conflicts.length && !force) throw applyConflict(conflicts);
  for (const c of conflicts) owners.find((o) => o.entry === c.manager)!.fields.delete(c.path);

  const merged = mergeApplied(live ?? { metadata: {} }, applied, lists, []) as KObject;
  const mine = owners.find((o) => sameManager(o.entry, id, 'Apply'));
  for (const path of mine?.fields ?? []) {
    if (appliedFields.has(path) || owners.some((o) => o !== mine && o.fields.has(path))) continue;
    removeAt(merged, path);
  }
  const entry: ManagedFieldsEntry = {
    manager: id.manager,
    operation: 'Apply',
    apiVersion: id.apiVersion,
    time: now(),
    fieldsType: 'FieldsV1',
    fieldsV1: {},
    ...(id.subresource ? { subresource: id.subresource } : {}),
  };
  const rest = owners.filter((o) => o !== mine);
  const managedFields = encode([...rest, { entry, fields: appliedFields }]);
  merged.metadata = { ...merged.metadata, managedFields };
  if (!managedFields) delete merged.metadata.managedFields;
  return merged;
}

/**
 * Records an Update (create, update, non-apply patch) by `id`: fields it changed become its own
 * and leave other managers; fields that disappeared leave every manager.
 */
export function recordUpdate(
  before: KObject | undefined,
  after: KObject,
  id: ManagerIdentity,
  lists: ListSemanticsResolver,
  scope: FieldScope,
): ManagedFieldsEntry[] | undefined {
  const previous = before ? fieldsOf(before, lists, scope) : new Set<string>();
  const current = fieldsOf(after, lists, scope);
  // A list item's own node ('.') changes hands only when the item is new; its fields carry the rest.
  const changed = [...current].filter((p) => !previous.has(p) || (!isItemNode(p) && !jsonEqual(valueAt(before, p), valueAt(after, p))));
  const owners = ownerships(before);
  for (const o of owners) for (const p of [...o.fields]) if (!current.has(p) && scope(topLevelOf(p))) o.fields.delete(p);
  let mine = owners.find((o) => sameManager(o.entry, id, 'Update'));
  if (changed.length === 0 && !mine) return encode(owners);
  for (const o of owners) if (o !== mine) for (const p of changed) o.fields.delete(p);
  if (!mine) {
    mine = {
      entry: { manager: id.manager, operation: 'Update', apiVersion: id.apiVersion, time: now(), fieldsType: 'FieldsV1', fieldsV1: {}, ...(id.subresource ? { subresource: id.subresource } : {}) },
      fields: new Set(),
    };
    owners.push(mine);
  }
  if (changed.length) mine.entry = { ...mine.entry, time: now(), apiVersion: id.apiVersion };
  for (const p of changed) mine.fields.add(p);
  return encode(owners);
}

const topLevelOf = (path: string): string => path.split('\n')[0]!.slice(2);

const isItemNode = (path: string): boolean => path.endsWith('\n.');

function mergeApplied(live: unknown, applied: unknown, lists: ListSemanticsResolver, names: string[]): unknown {
  if (isObject(applied)) {
    const result: J = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) result[k] = mergeApplied(result[k], v, lists, [...names, k]);
    return result;
  }
  if (Array.isArray(applied) && names.length > 0) {
    const semantics: ListSemantics = lists(names);
    const base = Array.isArray(live) ? live : [];
    if (semantics.kind === 'set') return [...base, ...applied.filter((v) => !base.some((b) => jsonEqual(b, v)))];
    if (semantics.kind === 'map') {
      const result = [...base];
      for (const item of applied) {
        const i = result.findIndex((b) => isObject(b) && isObject(item) && semantics.keys.every((k) => jsonEqual(b[k], item[k])));
        if (i >= 0) result[i] = mergeApplied(result[i], item, lists, names);
        else result.push(structuredClone(item));
      }
      return result;
    }
  }
  return structuredClone(applied);
}

function printManager(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}${e.time ? ` at ${e.time}` : ''}`;
  return s;
}

function applyConflict(conflicts: { manager: ManagedFieldsEntry; path: string }[]): ApiError {
  let message: string;
  if (conflicts.length === 1) message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!.manager)}: ${describePath(conflicts[0]!.path)}`;
  else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = printManager(c.manager);
      byManager.set(m, [...(byManager.get(m) ?? []), describePath(c.path)]);
    }
    const lines = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!.map((p) => `- ${p}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: describePath(c.path) })),
  });
}
