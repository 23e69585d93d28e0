import { badRequest } from './api-error.ts';
import type { ListSemanticsResolver } from './list-semantics.ts';

type J = Record<string, unknown>;
const isObject = (v: unknown): v is J => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Strategic merge patch for built-in types: associative lists merge by their patch merge key,
 * with the directives kubectl emits (`$patch: replace|delete|merge`, `$retainKeys`,
 * `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`).
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, lists: ListSemanticsResolver): unknown {
  return mergeMap(original, patch, lists, []);
}

function mergeMap(original: unknown, patch: unknown, lists: ListSemanticsResolver, path: string[]): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const directive = patch.$patch;
  if (directive === 'replace') return stripDirectives(patch);
  if (directive === 'delete') return undefined;
  if (directive !== undefined && directive !== 'merge') throw badRequest(`unknown patch type: ${String(directive)} in map`);
  const result: J = isObject(original) ? { ...original } : {};
  const orders: [string, unknown[]][] = [];
  const deletions: [string, unknown[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) orders.push([key.slice(17), value as unknown[]]);
    else if (key.startsWith('$deleteFromPrimitiveList/')) deletions.push([key.slice(25), value as unknown[]]);
    else if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(result[key], value, lists, [...path, key]);
    else if (isObject(value)) {
      const merged = mergeMap(result[key], value, lists, [...path, key]);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else result[key] = value;
  }
  for (const [key, removed] of deletions)
    if (Array.isArray(result[key])) result[key] = (result[key] as unknown[]).filter((v) => !removed.includes(v));
  for (const [key, order] of orders) if (Array.isArray(result[key])) result[key] = reorder(result[key] as unknown[], order, lists([...path, key]));
  if (Array.isArray(patch.$retainKeys)) for (const key of Object.keys(result)) if (!patch.$retainKeys.includes(key)) delete result[key];
  return result;
}

function mergeList(original: unknown, patch: unknown[], lists: ListSemanticsResolver, path: string[]): unknown[] {
  const semantics = lists(path);
  const base = Array.isArray(original) ? original : [];
  if (semantics.kind === 'atomic') return patch.filter((i) => !(isObject(i) && i.$patch)).map(stripDirectives);
  if (semantics.kind === 'set') return [...base, ...patch.filter((v) => !base.includes(v))];
  const key = semantics.keys[0]!;
  if (patch.some((i) => isObject(i) && i.$patch === 'replace'))
    return patch.filter((i) => !(isObject(i) && i.$patch === 'replace')).map(stripDirectives);
  const result = [...base];
  for (const item of patch) {
    if (!isObject(item) || item[key] === undefined) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const index = result.findIndex((o) => isObject(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = mergeMap(result[index], item, lists, path);
    else result.push(mergeMap(undefined, item, lists, path));
  }
  return result;
}

function reorder(list: unknown[], order: unknown[], semantics: ReturnType<ListSemanticsResolver>): unknown[] {
  const keyOf = (v: unknown): unknown => (semantics.kind === 'map' && isObject(v) ? v[semantics.keys[0]!] : v);
  const wanted = order.map(keyOf);
  const ordered = wanted.flatMap((k) => list.filter((v) => keyOf(v) === k));
  return [...ordered, ...list.filter((v) => !wanted.includes(keyOf(v)))];
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !k.startsWith('$'))
      .map(([k, v]) => [k, stripDirectives(v)]),
  );
}
