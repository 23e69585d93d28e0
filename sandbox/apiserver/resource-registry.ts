import type { ResourceType } from './resource-type.ts';

/** The resources served right now: built-ins plus the versions of established CRDs. */
export class ResourceRegistry {
  private readonly types = new Map<string, ResourceType>();
  private readonly groupPreferred = new Map<string, string>();

  constructor(builtins: ResourceType[]) {
    for (const t of builtins) this.add(t);
  }

  private static key(group: string, version: string, plural: string): string {
    return `${group}/${version}/${plural}`;
  }

  add(t: ResourceType, preferred = true): void {
    this.types.set(ResourceRegistry.key(t.group, t.version, t.plural), t);
    if (preferred || !this.groupPreferred.has(t.group)) this.groupPreferred.set(t.group, t.version);
  }

  /** Drops every version registered from the named CRD. */
  removeCrd(crdName: string): void {
    for (const [k, t] of this.types) if (t.crdName === crdName) this.types.delete(k);
    const groups = new Set([...this.types.values()].map((t) => t.group));
    for (const g of [...this.groupPreferred.keys()]) if (!groups.has(g)) this.groupPreferred.delete(g);
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.get(ResourceRegistry.key(group, version, plural));
  }

  /** Any served version of a group-resource: used for storage-wide work such as GC and namespace cleanup. */
  all(): ResourceType[] {
    return [...this.types.values()];
  }

  /** One type per group-resource (the preferred version where served). */
  storageTypes(): ResourceType[] {
    const byResource = new Map<string, ResourceType>();
    for (const t of this.types.values()) {
      const key = `${t.group}/${t.plural}`;
      if (!byResource.has(key) || this.groupPreferred.get(t.group) === t.version) byResource.set(key, t);
    }
    return [...byResource.values()];
  }


  groups(): { group: string; versions: string[]; preferred: string }[] {
    const versions = new Map<string, Set<string>>();
    for (const t of this.types.values()) {
      if (!versions.has(t.group)) versions.set(t.group, new Set());
      versions.get(t.group)!.add(t.version);
    }
    return [...versions.entries()].map(([group, vs]) => ({
      group,
      versions: [...vs].sort(compareKubeVersions),
      preferred: this.groupPreferred.get(group) ?? [...vs].sort(compareKubeVersions)[0]!,
    }));
  }

  resourcesOf(group: string, version: string): ResourceType[] {
    return [...this.types.values()].filter((t) => t.group === group && t.version === version);
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta2 > v1alpha1). */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = v.match(/^v(\d+)(?:(alpha|beta)(\d+))?$/);
    if (!m) return [-1, 0, 0];
    return [m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
  return a.localeCompare(b);
}
