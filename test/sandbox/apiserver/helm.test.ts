import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, startApiServerFixture, type ApiServerFixture } from './api-server-fixture.ts';

const chart = join(import.meta.dirname, 'fixtures/demo-chart');
let f: ApiServerFixture;

beforeAll(async () => {
  f = await startApiServerFixture();
});
afterAll(async () => f?.stop());

const get = async (args: string[]): Promise<any> => JSON.parse(await f.kubectlOk([...args, '-o', 'json'])); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('helm', () => {
  it('installs a chart with a Deployment, Service, ConfigMap and RBAC objects', async () => {
    const r = await f.helm(['install', 'demo', chart, '--namespace', 'apps', '--create-namespace']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('STATUS: deployed');
    expect((await get(['-n', 'apps', 'get', 'configmap', 'demo-config'])).data).toEqual({ greeting: 'hello' });
    const svc = await get(['-n', 'apps', 'get', 'service', 'demo']);
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', selector: { 'app.kubernetes.io/instance': 'demo' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] });
    expect(svc.spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect((await get(['-n', 'apps', 'get', 'role', 'demo'])).rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]);
    expect((await get(['-n', 'apps', 'get', 'rolebinding', 'demo'])).subjects).toEqual([{ kind: 'ServiceAccount', name: 'demo', namespace: 'apps' }]);
    expect((await get(['get', 'clusterrolebinding', 'apps-demo-reader'])).roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'apps-demo-reader' });
    const pods = await eventually('the deployment pod', async () => {
      const list = (await get(['-n', 'apps', 'get', 'pods', '-l', 'app.kubernetes.io/instance=demo'])).items;
      return list.length === 1 ? list : undefined;
    });
    expect(pods[0].spec.serviceAccountName).toBe('demo');
    expect((await get(['-n', 'apps', 'get', 'secrets', '-l', 'owner=helm'])).items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['sh.helm.release.v1.demo.v1']);
  });

  it('upgrades the release in place', async () => {
    const r = await f.helm(['upgrade', 'demo', chart, '--namespace', 'apps', '--set', 'greeting=bye', '--set', 'replicas=2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('REVISION: 2');
    expect((await get(['-n', 'apps', 'get', 'configmap', 'demo-config'])).data).toEqual({ greeting: 'bye' });
    const d = await get(['-n', 'apps', 'get', 'deployment', 'demo']);
    expect(d.spec.replicas).toBe(2);
    expect(d.metadata.generation).toBe(2);
    await eventually('two pods', async () => ((await get(['-n', 'apps', 'get', 'pods'])).items.length === 2 ? true : undefined));
    const list = await f.helm(['list', '--namespace', 'apps', '-o', 'json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'demo', namespace: 'apps', revision: '2', status: 'deployed', chart: 'demo-0.1.0' })]);
  });

  it('uninstalls the release, removing its objects and history', async () => {
    const r = await f.helm(['uninstall', 'demo', '--namespace', 'apps']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('release "demo" uninstalled\n');
    expect((await get(['-n', 'apps', 'get', 'deployments,services,configmaps,roles,rolebindings,secrets'])).items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual([]);
    expect((await f.kubectl(['get', 'clusterrole', 'apps-demo-reader'])).code).toBe(1);
    await eventually('pods collected', async () => ((await get(['-n', 'apps', 'get', 'pods'])).items.length === 0 ? true : undefined));
    const verbs = new Set(f.server.requestLog().filter((r) => r.resource === 'secrets' && r.namespace === 'apps').map((r) => r.verb));
    expect([...verbs].sort()).toEqual(['create', 'delete', 'get', 'list', 'update']);
  });
});
