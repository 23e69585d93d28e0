import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { rawRequest, startApiServerFixture, type ApiServerFixture } from './api-server-fixture.ts';

let f: ApiServerFixture;

beforeAll(async () => {
  f = await startApiServerFixture({ authorization: 'RBAC' });
  const core = f.kc.makeApiClient(CoreV1Api);
  const rbac = f.kc.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespace({ body: { metadata: { name: 'team' } } });
  await core.createNamespacedServiceAccount({ namespace: 'team', body: { metadata: { name: 'reader' } } });
  await rbac.createNamespacedRole({
    namespace: 'team',
    body: {
      metadata: { name: 'reader' },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods/status'], verbs: ['patch'] },
        { apiGroups: [''], resources: ['secrets'], resourceNames: ['allowed'], verbs: ['get'] },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: 'team',
    body: { metadata: { name: 'reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'team' }] },
  });
  await rbac.createClusterRole({ body: { metadata: { name: 'ns-viewer' }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }] } });
  await rbac.createClusterRoleBinding({
    body: { metadata: { name: 'ns-viewer' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ns-viewer' }, subjects: [{ kind: 'Group', name: 'system:serviceaccounts:team' }] },
  });
});
afterAll(async () => f?.stop());

const as = (path: string, method = 'GET', body?: unknown) =>
  rawRequest(f.kc, method, path, body, body === undefined ? 'application/json' : 'application/merge-patch+json', { Authorization: `Bearer ${f.server.tokenFor('team', 'reader')}` });

describe('RBAC authorization (opt-in)', () => {
  it('allows what a bound Role grants, through subresources, resourceNames and group bindings', async () => {
    expect((await as('/api/v1/namespaces/team/configmaps')).status).toBe(200);
    expect((await as('/api/v1/namespaces/team/secrets/allowed')).status).toBe(404);
    expect((await as('/api/v1/namespaces/team')).status).toBe(200);
    expect((await as('/api/v1/namespaces/team/pods/p/status', 'PATCH', { status: {} })).status).toBe(404);
    expect((await as('/api')).status).toBe(200);
  });

  it('refuses everything else with the apiserver 403 Status', async () => {
    const denied = await as('/api/v1/namespaces/team/secrets/other');
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'secrets "other" is forbidden: User "system:serviceaccount:team:reader" cannot get resource "secrets" in API group "" in the namespace "team"',
      reason: 'Forbidden',
      details: { name: 'other', group: '', kind: 'secrets' },
      code: 403,
    });
    const clusterWide = await as('/api/v1/configmaps');
    expect(clusterWide.body.message).toBe('configmaps is forbidden: User "system:serviceaccount:team:reader" cannot list resource "configmaps" in API group "" at the cluster scope');
    expect((await as('/api/v1/namespaces/team/pods/p', 'PATCH', { metadata: {} })).status).toBe(403);
    expect((await as('/api/v1/namespaces/other/configmaps')).status).toBe(403);
  });

  it('answers kubectl auth can-i for an impersonated service account', async () => {
    const sa = 'system:serviceaccount:team:reader';
    const canI = async (...args: string[]) => (await f.kubectl(['auth', 'can-i', ...args, '--as', sa, '--as-group', 'system:serviceaccounts:team'])).stdout.trim();
    expect(await canI('list', 'configmaps', '-n', 'team')).toBe('yes');
    expect(await canI('delete', 'configmaps', '-n', 'team')).toBe('no');
    expect(await canI('get', 'secrets/allowed', '-n', 'team')).toBe('yes');
    expect(await canI('get', 'namespaces')).toBe('yes');
    expect(await canI('patch', 'pods', '--subresource=status', '-n', 'team')).toBe('yes');
  });

  it('lets only system:masters impersonate', async () => {
    const r = await rawRequest(f.kc, 'GET', '/api/v1/namespaces', undefined, 'application/json', {
      Authorization: `Bearer ${f.server.tokenFor('team', 'reader')}`,
      'Impersonate-User': 'kubernetes-admin',
    });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('users "kubernetes-admin" is forbidden: User "system:serviceaccount:team:reader" cannot impersonate resource "users" in API group "" at the cluster scope');
  });
});
