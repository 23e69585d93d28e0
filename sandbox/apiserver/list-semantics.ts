import type { JsonSchema } from './structural-schema.ts';

/**
 * How a list field merges, from the Kubernetes types' patch metadata (built-ins) or the CRD schema's
 * `x-kubernetes-list-type` / `x-kubernetes-list-map-keys` (custom resources).
 * `keys` for associative lists, `set` for lists of unique scalars, `atomic` (replace whole) otherwise.
 */
export type ListSemantics = { kind: 'map'; keys: string[] } | { kind: 'set' } | { kind: 'atomic' };

/** Resolves list semantics for the list at a field-name path (list indices omitted). */
export type ListSemanticsResolver = (path: readonly string[]) => ListSemantics;

const containerLists = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const byName: ListSemantics = { kind: 'map', keys: ['name'] };

export const builtinListSemantics =
  (kind: string): ListSemanticsResolver =>
  (path) => {
    const last = path[path.length - 1]!;
    const parent = path[path.length - 2];
    if (path.length === 2 && path[0] === 'metadata') {
      if (last === 'finalizers') return { kind: 'set' };
      if (last === 'ownerReferences') return { kind: 'map', keys: ['uid'] };
    }
    if (containerLists.has(last)) return byName;
    if (parent && containerLists.has(parent)) {
      if (last === 'env') return byName;
      if (last === 'ports') return { kind: 'map', keys: ['containerPort'] };
      if (last === 'volumeMounts') return { kind: 'map', keys: ['mountPath'] };
      if (last === 'volumeDevices') return { kind: 'map', keys: ['devicePath'] };
    }
    if (last === 'volumes' || last === 'imagePullSecrets') return byName;
    if (last === 'hostAliases') return { kind: 'map', keys: ['ip'] };
    if (last === 'conditions') return { kind: 'map', keys: ['type'] };
    if (kind === 'Service' && path.length === 2 && path[0] === 'spec' && last === 'ports') return { kind: 'map', keys: ['port'] };
    if (kind === 'ServiceAccount' && path.length === 1 && last === 'secrets') return byName;
    if (kind === 'Node' && last === 'taints') return { kind: 'map', keys: ['key'] };
    return { kind: 'atomic' };
  };

export const schemaListSemantics =
  (schema: JsonSchema): ListSemanticsResolver =>
  (path) => {
    if (path.length === 2 && path[0] === 'metadata') return builtinListSemantics('')(path);
    let node: JsonSchema | undefined = schema;
    for (const name of path) {
      while (node?.type === 'array') node = node.items;
      const next: JsonSchema | boolean | undefined = node?.properties?.[name] ?? node?.additionalProperties;
      node = typeof next === 'object' ? next : undefined;
    }
    if (node?.['x-kubernetes-list-type'] === 'map') return { kind: 'map', keys: node['x-kubernetes-list-map-keys'] ?? [] };
    if (node?.['x-kubernetes-list-type'] === 'set') return { kind: 'set' };
    return { kind: 'atomic' };
  };
