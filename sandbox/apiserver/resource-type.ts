import type { FieldGetter } from './field-selector.ts';
import type { JsonSchema } from './structural-schema.ts';

/** A Kubernetes object as stored: plain JSON. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** One column of a server-side Table (`kubectl get` output). */
export interface TableColumn {
  name: string;
  type: string;
  format?: string;
  description: string;
  priority: number;
  cell: (obj: KObject) => unknown;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** How `metadata.generation` moves: on spec changes, on any non-metadata non-status change (CRs), or never. */
export type GenerationPolicy = 'spec' | 'non-metadata' | 'none';

/** Everything the API layer needs to serve one resource of one group-version. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  statusSubresource: boolean;
  scale?: ScaleSubresource;
  /** Extra subresources served by the HTTP layer (pods/log, pods/binding). */
  extraSubresources: string[];
  /** Verbs served when not all of them are (review resources are create-only and never stored). */
  verbs?: string[];
  generation: GenerationPolicy;
  columns: TableColumn[];
  fieldSelectors: Record<string, FieldGetter>;
  /** The structural schema of a custom resource version; built-ins carry none. */
  schema?: JsonSchema;
  /** Set for types registered from a CustomResourceDefinition. */
  crdName?: string;
}

export const apiVersionOf = (t: { group: string; version: string }): string => (t.group ? `${t.group}/${t.version}` : t.version);

/** Objects of all versions of one group-resource share one storage collection. */
export const storageKeyOf = (t: { group: string; plural: string }): string => `${t.group}/${t.plural}`;
