import type { StatusCause } from './api-error.ts';
import { ageColumn, nameColumn } from './builtin-resources.ts';
import { fieldAt } from './field-selector.ts';
import { ageOf } from './human-duration.ts';
import { evaluateJsonPath } from './json-path.ts';
import type { KObject, ResourceType, TableColumn } from './resource-type.ts';
import type { JsonSchema } from './structural-schema.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- CRD JSON

interface PrinterColumnSpec {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** The resource types one CustomResourceDefinition serves, one per served version. */
export function typesOfCrd(crd: KObject): ResourceType[] {
  const spec = (crd as J).spec;
  return (spec.versions as J[])
    .filter((v) => v.served)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      namespaced: spec.scope === 'Namespaced',
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      statusSubresource: v.subresources?.status !== undefined,
      ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}),
      extraSubresources: [],
      generation: 'non-metadata' as const,
      columns: printerColumns(v.additionalPrinterColumns),
      fieldSelectors: { 'metadata.name': fieldAt('metadata.name'), 'metadata.namespace': fieldAt('metadata.namespace') },
      schema: (v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as JsonSchema,
      crdName: crd.metadata.name!,
    }));
}

function printerColumns(specs: PrinterColumnSpec[] | undefined): TableColumn[] {
  if (!specs?.length) return [nameColumn, ageColumn];
  return [
    nameColumn,
    ...specs.map((c) => ({
      name: c.name,
      type: c.type,
      ...(c.format ? { format: c.format } : {}),
      description: c.description ?? '',
      priority: c.priority ?? 0,
      cell: (o: KObject) => {
        const value = evaluateJsonPath(c.jsonPath, o)[0];
        if (value === undefined || value === null) return null;
        if (c.type === 'date') return ageOf(String(value));
        if (c.type === 'string' && typeof value === 'object') return JSON.stringify(value);
        return value;
      },
    })),
  ];
}

/** Validation of the CRD object itself: the parts whose absence would make serving it impossible. */
export function validateCrd(crd: KObject): StatusCause[] {
  const spec = (crd as J).spec ?? {};
  const causes: StatusCause[] = [];
  const need = (ok: unknown, field: string): void => {
    if (!ok) causes.push({ reason: 'FieldValueRequired', field, message: 'Required value' });
  };
  need(spec.group, 'spec.group');
  need(spec.names?.plural, 'spec.names.plural');
  need(spec.names?.kind, 'spec.names.kind');
  if (!['Namespaced', 'Cluster'].includes(spec.scope))
    causes.push({ reason: 'FieldValueNotSupported', field: 'spec.scope', message: `Unsupported value: "${spec.scope ?? ''}": supported values: "Cluster", "Namespaced"` });
  if (spec.group && spec.names?.plural && crd.metadata.name !== `${spec.names.plural}.${spec.group}`)
    causes.push({ field: 'metadata.name', message: `Invalid value: "${crd.metadata.name}": must be spec.names.plural+"."+spec.group` });
  const versions: J[] = spec.versions ?? [];
  if (!versions.length) need(false, 'spec.versions');
  if (versions.filter((v) => v.storage).length !== 1)
    causes.push({ field: 'spec.versions', message: `Invalid value: ${JSON.stringify(versions.map((v) => v.name))}: must have exactly one version marked as storage version` });
  versions.forEach((v, i) => {
    if (!v.schema?.openAPIV3Schema) need(false, `spec.versions[${i}].schema.openAPIV3Schema`);
    else if (v.schema.openAPIV3Schema.type !== 'object')
      causes.push({ field: `spec.versions[${i}].schema.openAPIV3Schema.type`, message: 'Unsupported value: must be object at the root' });
  });
  return causes;
}

/** The status a CRD gets once its names are accepted and it is served. */
export function establishedStatus(crd: KObject, now: string): J {
  const spec = (crd as J).spec;
  const condition = (type: string, reason: string, message: string): J => ({ type, status: 'True', lastTransitionTime: now, reason, message });
  return {
    acceptedNames: { ...spec.names, singular: spec.names.singular ?? spec.names.kind.toLowerCase(), listKind: spec.names.listKind ?? `${spec.names.kind}List` },
    conditions: [condition('NamesAccepted', 'NoConflicts', 'no conflicts found'), condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
    storedVersions: (spec.versions as J[]).filter((v) => v.storage).map((v) => v.name),
  };
}

export function applyCrdDefaults(crd: KObject): void {
  const spec = (crd as J).spec ?? {};
  spec.names ??= {};
  if (spec.names.kind) {
    spec.names.singular ??= spec.names.kind.toLowerCase();
    spec.names.listKind ??= `${spec.names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
}
