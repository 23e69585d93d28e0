import { fieldAt, type FieldGetter } from './field-selector.ts';
import { ageOf } from './human-duration.ts';
import type { GenerationPolicy, KObject, ResourceType, ScaleSubresource, TableColumn } from './resource-type.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- cells read loosely-typed JSON

const column = (name: string, cell: (o: J) => unknown, opts: { type?: string; priority?: number; format?: string } = {}): TableColumn => ({
  name,
  type: opts.type ?? 'string',
  ...(opts.format ? { format: opts.format } : {}),
  description: name,
  priority: opts.priority ?? 0,
  cell: cell as (o: KObject) => unknown,
});

export const nameColumn: TableColumn = column('Name', (o) => o.metadata.name, { format: 'name' });
export const ageColumn: TableColumn = column('Age', (o) => ageOf(o.metadata.creationTimestamp));
const createdAt = column('Created At', (o) => o.metadata.creationTimestamp, { type: 'date' });

const metaFields: Record<string, FieldGetter> = { 'metadata.name': fieldAt('metadata.name'), 'metadata.namespace': fieldAt('metadata.namespace') };
const fields = (...paths: string[]): Record<string, FieldGetter> => ({
  ...metaFields,
  ...Object.fromEntries(paths.map((p) => [p, fieldAt(p)])),
});

interface BuiltinOptions {
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  scale?: ScaleSubresource;
  extra?: string[];
  generation?: GenerationPolicy;
  columns?: TableColumn[];
  fieldSelectors?: Record<string, FieldGetter>;
  clusterScoped?: boolean;
  verbs?: string[];
}

function builtin(group: string, version: string, kind: string, plural: string, o: BuiltinOptions = {}): ResourceType {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: !o.clusterScoped,
    shortNames: o.shortNames ?? [],
    categories: o.categories ?? [],
    statusSubresource: o.status ?? false,
    ...(o.scale ? { scale: o.scale } : {}),
    extraSubresources: o.extra ?? [],
    generation: o.generation ?? 'none',
    columns: [nameColumn, ...(o.columns ?? [ageColumn])],
    fieldSelectors: o.fieldSelectors ?? metaFields,
    ...(o.verbs ? { verbs: o.verbs } : {}),
  };
}

const containerStatuses = (o: J): J[] => o.status?.containerStatuses ?? [];
const podStatusText = (o: J): string => {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  for (const s of containerStatuses(o)) {
    if (s.state?.waiting?.reason) return s.state.waiting.reason;
    if (s.state?.terminated?.reason && o.status?.phase !== 'Succeeded') return s.state.terminated.reason;
  }
  return o.status?.reason ?? o.status?.phase ?? 'Pending';
};
const servicePorts = (o: J): string =>
  (o.spec?.ports ?? []).map((p: J) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || '<none>';
const selectorText = (s: J | undefined): string =>
  s ? Object.entries(s.matchLabels ?? s).map(([k, v]) => `${k}=${v}`).join(',') || '<none>' : '<none>';
const templateContainers = (o: J): J[] => o.spec?.template?.spec?.containers ?? [];
const deploymentScale: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };
const endpointsText = (o: J): string => {
  const out: string[] = [];
  for (const subset of o.subsets ?? []) for (const a of subset.addresses ?? []) for (const p of subset.ports ?? [{}]) out.push(p.port ? `${a.ip}:${p.port}` : a.ip);
  return out.length ? out.slice(0, 3).join(',') + (out.length > 3 ? ` + ${out.length - 3} more...` : '') : '<none>';
};

/** The built-in resources this emulation serves, in the versions Kubernetes 1.33 serves them. */
export function builtinResources(): ResourceType[] {
  return [
    builtin('', 'v1', 'Namespace', 'namespaces', {
      clusterScoped: true,
      shortNames: ['ns'],
      status: true,
      columns: [column('Status', (o) => o.status?.phase), ageColumn],
      fieldSelectors: fields('status.phase'),
    }),
    builtin('', 'v1', 'Pod', 'pods', {
      shortNames: ['po'],
      categories: ['all'],
      status: true,
      extra: ['binding', 'log'],
      columns: [
        column('Ready', (o) => `${containerStatuses(o).filter((s) => s.ready).length}/${(o.spec?.containers ?? []).length}`),
        column('Status', podStatusText),
        column('Restarts', (o) => containerStatuses(o).reduce((n, s) => n + (s.restartCount ?? 0), 0), { type: 'string' }),
        ageColumn,
        column('IP', (o) => o.status?.podIP ?? '<none>', { priority: 1 }),
        column('Node', (o) => o.spec?.nodeName ?? '<none>', { priority: 1 }),
        column('Nominated Node', (o) => o.status?.nominatedNodeName ?? '<none>', { priority: 1 }),
        column('Readiness Gates', (o) => (o.spec?.readinessGates ?? []).length ? `${o.spec.readinessGates.length}` : '<none>', { priority: 1 }),
      ],
      fieldSelectors: fields('spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'),
    }),
    builtin('', 'v1', 'Node', 'nodes', {
      clusterScoped: true,
      shortNames: ['no'],
      status: true,
      columns: [
        column('Status', (o) => ((o.status?.conditions ?? []).find((c: J) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady')),
        column('Roles', () => '<none>'),
        ageColumn,
        column('Version', (o) => o.status?.nodeInfo?.kubeletVersion ?? ''),
        column('Internal-IP', (o) => (o.status?.addresses ?? []).find((a: J) => a.type === 'InternalIP')?.address ?? '<none>', { priority: 1 }),
      ],
      fieldSelectors: fields('spec.unschedulable'),
    }),
    builtin('', 'v1', 'Service', 'services', {
      shortNames: ['svc'],
      categories: ['all'],
      status: true,
      columns: [
        column('Type', (o) => o.spec?.type),
        column('Cluster-IP', (o) => o.spec?.clusterIP),
        column('External-IP', (o) => (o.spec?.externalIPs ?? []).join(',') || '<none>'),
        column('Port(s)', servicePorts),
        ageColumn,
        column('Selector', (o) => selectorText(o.spec?.selector), { priority: 1 }),
      ],
    }),
    builtin('', 'v1', 'Endpoints', 'endpoints', { shortNames: ['ep'], columns: [column('Endpoints', endpointsText), ageColumn] }),
    builtin('', 'v1', 'ConfigMap', 'configmaps', {
      shortNames: ['cm'],
      columns: [column('Data', (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, { type: 'integer' }), ageColumn],
    }),
    builtin('', 'v1', 'Secret', 'secrets', {
      columns: [column('Type', (o) => o.type), column('Data', (o) => Object.keys(o.data ?? {}).length, { type: 'integer' }), ageColumn],
      fieldSelectors: fields('type'),
    }),
    builtin('', 'v1', 'ServiceAccount', 'serviceaccounts', {
      shortNames: ['sa'],
      columns: [column('Secrets', (o) => (o.secrets ?? []).length, { type: 'integer' }), ageColumn],
    }),
    builtin('', 'v1', 'Event', 'events', {
      shortNames: ['ev'],
      columns: [
        column('Last Seen', (o) => ageOf(o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp)),
        column('Type', (o) => o.type),
        column('Reason', (o) => o.reason),
        column('Object', (o) => `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}`),
        column('Message', (o) => o.message),
      ],
      fieldSelectors: fields('involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type', 'source'),
    }),
    builtin('coordination.k8s.io', 'v1', 'Lease', 'leases', {
      columns: [column('Holder', (o) => o.spec?.holderIdentity ?? ''), ageColumn],
    }),
    builtin('apps', 'v1', 'Deployment', 'deployments', {
      shortNames: ['deploy'],
      categories: ['all'],
      status: true,
      scale: deploymentScale,
      generation: 'spec',
      columns: [
        column('Ready', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`),
        column('Up-to-date', (o) => o.status?.updatedReplicas ?? 0, { type: 'integer' }),
        column('Available', (o) => o.status?.availableReplicas ?? 0, { type: 'integer' }),
        ageColumn,
        column('Containers', (o) => templateContainers(o).map((c) => c.name).join(','), { priority: 1 }),
        column('Images', (o) => templateContainers(o).map((c) => c.image).join(','), { priority: 1 }),
        column('Selector', (o) => selectorText(o.spec?.selector), { priority: 1 }),
      ],
    }),
    builtin('apps', 'v1', 'ReplicaSet', 'replicasets', {
      shortNames: ['rs'],
      categories: ['all'],
      status: true,
      scale: deploymentScale,
      generation: 'spec',
      columns: [
        column('Desired', (o) => o.spec?.replicas ?? 0, { type: 'integer' }),
        column('Current', (o) => o.status?.replicas ?? 0, { type: 'integer' }),
        column('Ready', (o) => o.status?.readyReplicas ?? 0, { type: 'integer' }),
        ageColumn,
        column('Containers', (o) => templateContainers(o).map((c) => c.name).join(','), { priority: 1 }),
        column('Images', (o) => templateContainers(o).map((c) => c.image).join(','), { priority: 1 }),
        column('Selector', (o) => selectorText(o.spec?.selector), { priority: 1 }),
      ],
    }),
    builtin('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', { columns: [createdAt] }),
    builtin('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', {
      columns: [column('Role', (o) => `${o.roleRef?.kind}/${o.roleRef?.name}`), ageColumn],
    }),
    builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', { clusterScoped: true, columns: [createdAt] }),
    builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', {
      clusterScoped: true,
      columns: [column('Role', (o) => `${o.roleRef?.kind}/${o.roleRef?.name}`), ageColumn],
    }),
    builtin('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', { clusterScoped: true, verbs: ['create'] }),
    builtin('authorization.k8s.io', 'v1', 'SubjectAccessReview', 'subjectaccessreviews', { clusterScoped: true, verbs: ['create'] }),
    builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', {
      clusterScoped: true,
      shortNames: ['crd', 'crds'],
      status: true,
      generation: 'spec',
      columns: [createdAt],
    }),
  ];
}
