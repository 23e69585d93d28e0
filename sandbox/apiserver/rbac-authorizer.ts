import type { AuditRecord } from './audit-record.ts';
import type { ResourceApi } from './resource-api.ts';
import { ADMIN_USER } from './token-authority.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- RBAC objects are JSON

/** Who is asking: the authenticated user name and the groups Kubernetes derives for it. */
export interface UserInfo {
  user: string;
  groups: string[];
}

export function userInfoOf(user: string, extraGroups: string[] = []): UserInfo {
  const groups = ['system:authenticated', ...extraGroups];
  if (user === ADMIN_USER) groups.push('system:masters');
  const sa = user.match(/^system:serviceaccount:([^:]+):[^:]+$/);
  if (sa) groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  return { user, groups };
}

/**
 * The RBAC authorizer over the stored Roles, ClusterRoles and their bindings: a request is allowed
 * when a rule bound to the user (directly, through a group, or as a ServiceAccount) covers its verb,
 * API group, resource (or `resource/subresource`) and name. `system:masters` may do anything.
 */
export function rbacAllows(api: ResourceApi, who: UserInfo, r: AuditRecord): boolean {
  if (who.groups.includes('system:masters')) return true;
  const t = (group: string, plural: string) => api.registry.storageTypes().find((x) => x.group === group && x.plural === plural)!;
  const rbac = 'rbac.authorization.k8s.io';
  const bound = (b: J): boolean =>
    (b.subjects ?? []).some(
      (s: J) =>
        (s.kind === 'User' && s.name === who.user) ||
        (s.kind === 'Group' && who.groups.includes(s.name)) ||
        (s.kind === 'ServiceAccount' && who.user === `system:serviceaccount:${s.namespace ?? b.metadata.namespace}:${s.name}`),
    );
  const rulesOf = (ref: J, namespace?: string): J[] => {
    const role = ref.kind === 'ClusterRole' ? api.find(t(rbac, 'clusterroles'), undefined, ref.name) : api.find(t(rbac, 'roles'), namespace, ref.name);
    return ((role as J | undefined)?.rules ?? []) as J[];
  };
  for (const b of api.list(t(rbac, 'clusterrolebindings'), undefined).items as J[]) if (bound(b) && rulesOf(b.roleRef).some((rule) => covers(rule, r))) return true;
  if (!r.namespace) return false;
  for (const b of api.list(t(rbac, 'rolebindings'), r.namespace).items as J[])
    if (bound(b) && rulesOf(b.roleRef, r.namespace).some((rule) => covers(rule, r))) return true;
  return false;
}

function covers(rule: J, r: AuditRecord): boolean {
  const has = (list: unknown, value: string): boolean => Array.isArray(list) && (list.includes('*') || list.includes(value));
  if (!has(rule.verbs, r.verb) || !has(rule.apiGroups, r.apiGroup)) return false;
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const resources: string[] = rule.resources ?? [];
  const resourceOk = resources.includes('*') || resources.includes(resource) || (!!r.subresource && resources.includes(`*/${r.subresource}`));
  if (!resourceOk) return false;
  const names: string[] = rule.resourceNames ?? [];
  return names.length === 0 || (!!r.name && names.includes(r.name));
}

/** The message of a 403, worded as the apiserver words it. */
export function forbiddenMessage(who: UserInfo, r: AuditRecord): string {
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const subject = `${r.resource}${r.apiGroup ? `.${r.apiGroup}` : ''}${r.name ? ` "${r.name}"` : ''}`;
  const scope = r.namespace ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${who.user}" cannot ${r.verb} resource "${resource}" in API group "${r.apiGroup}" ${scope}`;
}
