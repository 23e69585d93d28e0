import type { ResourceRegistry } from './resource-registry.ts';
import type { ResourceType } from './resource-type.ts';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const KUBERNETES_VERSION = { major: '1', minor: '33', gitVersion: 'v1.33.0' };

export function versionInfo(): Record<string, string> {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-04-23T00:00:00Z',
    goVersion: 'go1.24.2',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** `GET /api`: the legacy core group's versions. */
export function coreVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** `GET /apis`: every named group. Plain (unaggregated) discovery, which kubectl falls back to. */
export function groupList(registry: ResourceRegistry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry
      .groups()
      .filter((g) => g.group !== '')
      .map((g) => group(g.group, g.versions, g.preferred)),
  };
}

export function apiGroup(registry: ResourceRegistry, name: string): Record<string, unknown> | undefined {
  const g = registry.groups().find((x) => x.group === name);
  return g && { ...group(g.group, g.versions, g.preferred), kind: 'APIGroup', apiVersion: 'v1' };
}

function group(name: string, versions: string[], preferred: string): Record<string, unknown> {
  return {
    name,
    versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred },
  };
}

/** `GET /api/v1` or `/apis/<g>/<v>`: the resources and subresources of one group-version. */
export function resourceList(registry: ResourceRegistry, groupName: string, version: string): Record<string, unknown> | undefined {
  const types = registry.resourcesOf(groupName, version);
  if (!types.length) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupName ? `${groupName}/${version}` : version,
    resources: types.flatMap(resourceEntries),
  };
}

function resourceEntries(t: ResourceType): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs ?? ALL_VERBS,
  };
  if (t.shortNames.length) main.shortNames = t.shortNames;
  if (t.categories.length) main.categories = t.categories;
  const sub = (name: string, kind: string, verbs: string[], gv?: { group: string; version: string }): Record<string, unknown> => ({
    name: `${t.plural}/${name}`,
    singularName: '',
    namespaced: t.namespaced,
    ...(gv ?? {}),
    kind,
    verbs,
  });
  const entries = [main];
  if (t.statusSubresource) entries.push(sub('status', t.kind, ['get', 'patch', 'update']));
  if (t.scale) entries.push(sub('scale', 'Scale', ['get', 'patch', 'update'], { group: 'autoscaling', version: 'v1' }));
  if (t.extraSubresources.includes('binding')) entries.push(sub('binding', 'Binding', ['create']));
  if (t.extraSubresources.includes('log')) entries.push(sub('log', 'Pod', ['get']));
  if (t.kind === 'ServiceAccount' && t.group === '') entries.push(sub('token', 'TokenRequest', ['create'], { group: 'authentication.k8s.io', version: 'v1' }));
  return entries;
}
