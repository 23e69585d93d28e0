import type { KObject, ResourceType } from './resource-type.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A meta.k8s.io/v1 Table of objects: what `kubectl get` asks for and prints. */
export function toTable(t: ResourceType, objects: KObject[], listMeta: Record<string, unknown>, include: IncludeObject): KObject {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: t.columns.map(({ name, type, format, description, priority }) => ({ name, type, format: format ?? '', description, priority })),
    rows: objects.map((o) => ({
      cells: t.columns.map((c) => {
        const v = c.cell(o);
        return v === undefined ? null : v;
      }),
      ...(include === 'None'
        ? {}
        : { object: include === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } }),
    })),
  };
}

/** Parses `Accept` for the Table media type kubectl sends (`application/json;as=Table;v=v1;g=meta.k8s.io`). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && (params.includes('v=v1') || params.includes('v=v1beta1'));
  });
}
