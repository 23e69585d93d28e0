import { jsonEqual } from './json-equal.ts';
import type { ListSemanticsResolver } from './list-semantics.ts';

/**
 * Sets of field paths in the FieldsV1 vocabulary (`f:name`, `k:{"name":"c"}`, `v:"x"`, `.`),
 * which is what managedFields records. A path is its elements joined by newlines.
 */
export type FieldSet = Set<string>;

type J = Record<string, unknown>;
const SEP = '\n';
const isObject = (v: unknown): v is J => v !== null && typeof v === 'object' && !Array.isArray(v);
const ignoredRoot = new Set(['apiVersion', 'kind', 'metadata']);
const trackedMetadata = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

/** Every leaf field (and associative-list item) that a value sets. */
export function fieldsOf(obj: J, lists: ListSemanticsResolver, only?: (topLevel: string) => boolean): FieldSet {
  const out: FieldSet = new Set();
  for (const [key, value] of Object.entries(obj)) {
    if (ignoredRoot.has(key) || (only && !only(key))) continue;
    collect(value, lists, [key], `f:${key}`, out);
  }
  const meta = obj.metadata as J | undefined;
  if (meta && (!only || only('metadata')))
    for (const key of trackedMetadata) if (meta[key] !== undefined) collect(meta[key], lists, ['metadata', key], `f:metadata${SEP}f:${key}`, out);
  return out;
}

function collect(value: unknown, lists: ListSemanticsResolver, names: string[], prefix: string, out: FieldSet): void {
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) collect(v, lists, [...names, k], `${prefix}${SEP}f:${k}`, out);
  } else if (Array.isArray(value)) {
    const semantics = lists(names);
    if (semantics.kind === 'map') {
      for (const item of value) {
        if (!isObject(item)) continue;
        const itemPath = `${prefix}${SEP}k:${JSON.stringify(Object.fromEntries(semantics.keys.map((k) => [k, item[k]])))}`;
        out.add(`${itemPath}${SEP}.`);
        for (const [k, v] of Object.entries(item)) collect(v, lists, [...names, k], `${itemPath}${SEP}f:${k}`, out);
      }
    } else if (semantics.kind === 'set') for (const item of value) out.add(`${prefix}${SEP}v:${JSON.stringify(item)}`);
    else out.add(prefix);
  } else out.add(prefix);
}

/** Reads the value at a path; `undefined` when absent. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const element of path.split(SEP)) {
    if (element === '.') continue;
    cur = step(cur, element);
    if (cur === undefined) return undefined;
  }
  return cur;
}

function step(cur: unknown, element: string): unknown {
  const body = element.slice(2);
  if (element.startsWith('f:')) return isObject(cur) ? cur[body] : undefined;
  if (!Array.isArray(cur)) return undefined;
  if (element.startsWith('k:')) {
    const key = JSON.parse(body) as J;
    return cur.find((item) => isObject(item) && Object.entries(key).every(([k, v]) => jsonEqual(item[k], v)));
  }
  const wanted = JSON.parse(body) as unknown;
  return cur.find((v) => jsonEqual(v, wanted));
}

/** Removes the field (or list item) at a path from obj in place. */
export function removeAt(obj: J, path: string): void {
  const elements = path.split(SEP);
  if (elements[elements.length - 1] === '.') elements.pop();
  const last = elements.pop()!;
  let parent: unknown = obj;
  for (const element of elements) parent = step(parent, element);
  if (last.startsWith('f:')) {
    if (isObject(parent)) delete parent[last.slice(2)];
    return;
  }
  if (!Array.isArray(parent)) return;
  const target = step(parent, last);
  const index = parent.indexOf(target);
  if (index >= 0) parent.splice(index, 1);
}

/** The FieldsV1 JSON tree stored in managedFields. */
export function toFieldsV1(set: FieldSet): J {
  const root: J = {};
  for (const path of [...set].sort()) {
    let node = root;
    for (const element of path.split(SEP)) node = (node[element] ??= {}) as J;
  }
  return root;
}

export function fromFieldsV1(tree: unknown): FieldSet {
  const out: FieldSet = new Set();
  const walk = (node: unknown, prefix: string): void => {
    const entries = isObject(node) ? Object.entries(node) : [];
    if (entries.length === 0 && prefix) out.add(prefix);
    for (const [k, v] of entries) walk(v, prefix ? `${prefix}${SEP}${k}` : k);
  };
  walk(tree, '');
  return out;
}

/** structured-merge-diff's path notation used in conflict messages: `.spec.containers[name="c"].image`. */
export function describePath(path: string): string {
  return path
    .split(SEP)
    .filter((e) => e !== '.')
    .map((e) => {
      if (e.startsWith('f:')) return `.${e.slice(2)}`;
      if (e.startsWith('v:')) return `[=${e.slice(2)}]`;
      const key = JSON.parse(e.slice(2)) as J;
      return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    })
    .join('');
}
