import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import { rawRequest, startApiServerFixture, type ApiServerFixture } from './api-server-fixture.ts';

let f: ApiServerFixture;
let core: CoreV1Api;

beforeAll(async () => {
  f = await startApiServerFixture();
  core = f.kc.makeApiClient(CoreV1Api);
  await f.kubectlOk(['create', 'namespace', 'crud']);
});
afterAll(async () => f?.stop());

const pod = (name: string, labels: Record<string, string> = {}): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'], env: [{ name: 'A', value: '1' }] }] },
});

describe('authentication', () => {
  it('refuses a request without a valid bearer token with a 401 Status', async () => {
    const res = await rawRequest(f.kc, 'GET', '/api/v1/namespaces', undefined, 'application/json', { Authorization: 'Bearer wrong' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('serves /version to anyone, as the system:public-info-viewer role does', async () => {
    const out = await f.kubectlOk(['version', '-o', 'json']);
    expect(JSON.parse(out).serverVersion.gitVersion).toBe('v1.33.0');
  });
});

describe('pods and configmaps through kubectl', () => {
  it('creates, gets, lists, updates, patches and deletes a configmap', async () => {
    await f.kubectlOk(['-n', 'crud', 'create', 'configmap', 'settings', '--from-literal=color=blue']);
    const got = JSON.parse(await f.kubectlOk(['-n', 'crud', 'get', 'configmap', 'settings', '-o', 'json']));
    expect(got.data).toEqual({ color: 'blue' });
    expect(got.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const table = await f.kubectlOk(['-n', 'crud', 'get', 'configmaps']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+DATA\s+AGE$/);
    expect(table).toMatch(/^settings\s+1\s+\d+s$/m);

    await f.kubectlOk(['-n', 'crud', 'patch', 'configmap', 'settings', '--type=merge', '-p', '{"data":{"size":"xl"}}']);
    await f.kubectlOk(['-n', 'crud', 'patch', 'configmap', 'settings', '--type=json', '-p', '[{"op":"replace","path":"/data/color","value":"red"}]']);
    const replaced = { ...JSON.parse(await f.kubectlOk(['-n', 'crud', 'get', 'configmap', 'settings', '-o', 'json'])) };
    replaced.data.shape = 'round';
    await f.kubectlOk(['replace', '-f', '-'], JSON.stringify(replaced));
    expect(JSON.parse(await f.kubectlOk(['-n', 'crud', 'get', 'cm', 'settings', '-o', 'json'])).data).toEqual({ color: 'red', size: 'xl', shape: 'round' });

    expect(await f.kubectlOk(['-n', 'crud', 'delete', 'configmap', 'settings'])).toBe('configmap "settings" deleted\n');
    const missing = await f.kubectl(['-n', 'crud', 'get', 'configmap', 'settings']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error from server (NotFound): configmaps "settings" not found\n');
  });

  it('applies a pod, prints it as a table (also -o wide), merges a strategic patch by container name and deletes it', async () => {
    const manifest = JSON.stringify(pod('web', { app: 'web' }));
    expect(await f.kubectlOk(['-n', 'crud', 'apply', '-f', '-'], manifest)).toBe('pod/web created\n');
    const table = await f.kubectlOk(['-n', 'crud', 'get', 'pods']);
    expect(table).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+0\/1\s+Pending\s+0\s+\d+s\n$/);
    const wide = await f.kubectlOk(['-n', 'crud', 'get', 'pod', 'web', '-o', 'wide']);
    expect(wide.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);

    await f.kubectlOk(['-n', 'crud', 'patch', 'pod', 'web', '-p', '{"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}']);
    const patched = JSON.parse(await f.kubectlOk(['-n', 'crud', 'get', 'pod', 'web', '-o', 'json']));
    expect(patched.spec.containers).toHaveLength(1);
    expect(patched.spec.containers[0]).toMatchObject({ name: 'main', image: 'busybox:1.37', command: ['sleep', '3600'], env: [{ name: 'A', value: '1' }] });
    expect(patched.status.phase).toBe('Pending');
    expect(patched.spec.restartPolicy).toBe('Always');

    const forbidden = await f.kubectl(['-n', 'crud', 'patch', 'pod', 'web', '-p', '{"spec":{"restartPolicy":"Never"}}']);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than');

    expect(await f.kubectlOk(['-n', 'crud', 'delete', 'pod', 'web'])).toBe('pod "web" deleted\n');
  });

  it('re-applies a Deployment with kubectl: lists reordered, list items removed, volume sources replaced', async () => {
    const deployment = (containers: object[], volumes: object[]) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'reapplied', namespace: 'crud' },
        spec: { replicas: 0, selector: { matchLabels: { app: 'r' } }, template: { metadata: { labels: { app: 'r' } }, spec: { containers, volumes } } },
      });
    await f.kubectlOk(['apply', '-f', '-'], deployment(
      [{ name: 'a', image: 'a:1', env: [{ name: 'ONE', value: '1' }, { name: 'TWO', value: '2' }], args: ['1', '2'] }, { name: 'b', image: 'b:1' }],
      [{ name: 'v', emptyDir: {} }],
    ));
    expect(await f.kubectlOk(['apply', '-f', '-'], deployment(
      [{ name: 'b', image: 'b:1' }, { name: 'a', image: 'a:1', env: [{ name: 'TWO', value: '2' }], args: ['2'] }],
      [{ name: 'v', configMap: { name: 'cm' } }],
    ))).toBe('deployment.apps/reapplied configured\n');
    const spec = JSON.parse(await f.kubectlOk(['-n', 'crud', 'get', 'deployment', 'reapplied', '-o', 'json'])).spec.template.spec;
    expect(spec.containers.map((c: { name: string }) => c.name)).toEqual(['b', 'a']);
    expect(spec.containers[1]).toMatchObject({ env: [{ name: 'TWO', value: '2' }], args: ['2'] });
    expect(spec.volumes).toEqual([{ name: 'v', configMap: { name: 'cm', defaultMode: 420 } }]);
  });

  it('refuses a pod whose namespace does not exist, and one without containers, with the Kubernetes messages', async () => {
    const r = await f.kubectl(['-n', 'nowhere', 'apply', '-f', '-'], JSON.stringify(pod('p')));
    expect(r.stderr).toContain('namespaces "nowhere" not found');
    const bad = await f.kubectl(['-n', 'crud', 'create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty' }, spec: { containers: [] } }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('The Pod "empty" is invalid: spec.containers: Required value\n');
  });
});

describe('client-node', () => {
  it('creates with generateName, updates with optimistic concurrency (409 on a stale resourceVersion) and deletes', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { generateName: 'gen-' }, data: { a: '1' } } });
    const name = created.metadata!.name!;
    expect(name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const first = await core.replaceNamespacedConfigMap({ name, namespace: 'crud', body: { ...created, data: { a: '2' } } });
    expect(Number(first.metadata!.resourceVersion)).toBeGreaterThan(Number(created.metadata!.resourceVersion));
    const stale = await rawRequest(f.kc, 'PUT', `/api/v1/namespaces/crud/configmaps/${name}`, { ...created, data: { a: '3' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message: `Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      details: { name, kind: 'configmaps' },
    });
    const unchanged = await core.replaceNamespacedConfigMap({ name, namespace: 'crud', body: first });
    expect(unchanged.metadata!.resourceVersion).toBe(first.metadata!.resourceVersion);
    await core.deleteNamespacedConfigMap({ name, namespace: 'crud' });
    await expect(core.readNamespacedConfigMap({ name, namespace: 'crud' })).rejects.toMatchObject({ code: 404 });
  });

  it('validates metadata: owner references need a uid, and a resourceVersion cannot be set on create', async () => {
    const noUid = await rawRequest(f.kc, 'POST', '/api/v1/namespaces/crud/configmaps', { metadata: { name: 'owned', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }] } });
    expect(noUid.status).toBe(422);
    expect(noUid.body.message).toBe('ConfigMap "owned" is invalid: metadata.ownerReferences[0].uid: Invalid value: "": uid must not be empty');
    const withRv = await rawRequest(f.kc, 'POST', '/api/v1/namespaces/crud/configmaps', { metadata: { name: 'versioned', resourceVersion: '5' } });
    expect(withRv.status).toBe(400);
    expect(withRv.body.message).toBe('resourceVersion should not be set on objects to be created');
  });

  it('merges Secret stringData into base64 data', async () => {
    await core.createNamespacedSecret({ namespace: 'crud', body: { metadata: { name: 'creds' }, stringData: { user: 'ada' }, data: { pass: Buffer.from('pw').toString('base64') } } });
    const s = await core.readNamespacedSecret({ name: 'creds', namespace: 'crud' });
    expect(s.data).toEqual({ user: Buffer.from('ada').toString('base64'), pass: Buffer.from('pw').toString('base64') });
    expect(s.stringData).toBeUndefined();
    expect(s.type).toBe('Opaque');
  });

  it('patches with merge, JSON and strategic merge patch types, including $patch directives', async () => {
    const apps = f.kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'crud',
      body: { metadata: { name: 'smp' }, spec: { replicas: 0, selector: { matchLabels: { app: 'smp' } }, template: { metadata: { labels: { app: 'smp' } }, spec: pod('x').spec! } } },
    });
    const smp = (body: object) => apps.patchNamespacedDeployment({ name: 'smp', namespace: 'crud', body }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    const env = async () => (await apps.readNamespacedDeployment({ name: 'smp', namespace: 'crud' })).spec!.template.spec!.containers[0]!.env;
    await smp({ spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'B', value: '2' }] }] } } } });
    expect(await env()).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    await smp({ spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'A', $patch: 'delete' }] }] } } } });
    expect(await env()).toEqual([{ name: 'B', value: '2' }]);
    await smp({ spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'C', value: '3' }, { $patch: 'replace' }] }] } } } });
    expect(await env()).toEqual([{ name: 'C', value: '3' }]);

    await core.createNamespacedPod({ namespace: 'crud', body: pod('patchy') });
    await core.patchNamespacedPod(
      { name: 'patchy', namespace: 'crud', body: [{ op: 'add', path: '/metadata/labels', value: { tier: 'a' } }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await core.patchNamespacedPod({ name: 'patchy', namespace: 'crud', body: { metadata: { labels: { tier: 'b' }, annotations: { note: 'x' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const p = await core.readNamespacedPod({ name: 'patchy', namespace: 'crud' });
    expect(p.metadata!.labels).toEqual({ tier: 'b' });
    expect(p.metadata!.annotations).toEqual({ note: 'x' });
    const failing = await rawRequest(f.kc, 'PATCH', '/api/v1/namespaces/crud/pods/patchy', [{ op: 'test', path: '/metadata/name', value: 'other' }], 'application/json-patch+json');
    expect(failing.status).toBe(422);
    expect(failing.body.reason).toBe('Invalid');
  });

  it('writes pod status only through the status subresource and ignores status on the main resource', async () => {
    const current = await core.readNamespacedPod({ name: 'patchy', namespace: 'crud' });
    await core.replaceNamespacedPod({ name: 'patchy', namespace: 'crud', body: { ...current, status: { phase: 'Running' } } });
    expect((await core.readNamespacedPod({ name: 'patchy', namespace: 'crud' })).status!.phase).toBe('Pending');
    await core.patchNamespacedPodStatus(
      { name: 'patchy', namespace: 'crud', body: { status: { phase: 'Running', podIP: '127.0.1.5' }, metadata: { labels: { ignored: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const after = await core.readNamespacedPod({ name: 'patchy', namespace: 'crud' });
    expect(after.status).toMatchObject({ phase: 'Running', podIP: '127.0.1.5' });
    expect(after.metadata!.labels).toEqual({ tier: 'b' });
  });

  it('does not persist dryRun=All writes', async () => {
    const res = await rawRequest(f.kc, 'POST', '/api/v1/namespaces/crud/configmaps?dryRun=All', { metadata: { name: 'dry' }, data: { a: '1' } });
    expect(res.status).toBe(201);
    expect(res.body.metadata.name).toBe('dry');
    await expect(core.readNamespacedConfigMap({ name: 'dry', namespace: 'crud' })).rejects.toMatchObject({ code: 404 });
    const dryDelete = await f.kubectlOk(['-n', 'crud', 'delete', 'pod', 'patchy', '--dry-run=server']);
    expect(dryDelete).toBe('pod "patchy" deleted (server dry run)\n');
    expect((await core.readNamespacedPod({ name: 'patchy', namespace: 'crud' })).metadata!.name).toBe('patchy');
  });
});

describe('selectors and paging', () => {
  beforeAll(async () => {
    for (const [name, labels] of [
      ['s1', { app: 'a', tier: 'front' }],
      ['s2', { app: 'a', tier: 'back' }],
      ['s3', { app: 'b' }],
      ['s4', { app: 'c', tier: 'front' }],
    ] as const)
      await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name, labels: { ...labels, sel: 'yes' } } } as V1ConfigMap });
  });

  const names = async (selector: string[]): Promise<string> =>
    (await f.kubectlOk(['-n', 'crud', 'get', 'configmaps', ...selector, '-o', 'jsonpath={.items[*].metadata.name}'])).trim();

  it('filters with every label selector operator', async () => {
    expect(await names(['-l', 'sel=yes,app=a'])).toBe('s1 s2');
    expect(await names(['-l', 'sel=yes,app!=a'])).toBe('s3 s4');
    expect(await names(['-l', 'sel=yes,app in (b,c)'])).toBe('s3 s4');
    expect(await names(['-l', 'sel=yes,app notin (a,b)'])).toBe('s4');
    expect(await names(['-l', 'sel=yes,tier'])).toBe('s1 s2 s4');
    expect(await names(['-l', 'sel=yes,!tier'])).toBe('s3');
  });

  it('filters with field selectors and refuses unsupported fields', async () => {
    expect(await names(['--field-selector', 'metadata.name=s3'])).toBe('s3');
    expect(await names(['-l', 'sel=yes', '--field-selector', 'metadata.name!=s3'])).toBe('s1 s2 s4');
    const pods = await core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running' });
    expect(pods.items.map((p) => p.metadata!.name)).toEqual(['patchy']);
    const bad = await f.kubectl(['-n', 'crud', 'get', 'configmaps', '--field-selector', 'data.a=1']);
    expect(bad.stderr).toBe('Error from server (BadRequest): Unable to find "/v1, Resource=configmaps" that match label selector "", field selector "data.a=1": field label not supported: data.a\n');
  });

  it('pages with limit and continue', async () => {
    const first = await core.listNamespacedConfigMap({ namespace: 'crud', labelSelector: 'sel=yes', limit: 3 });
    expect(first.items.map((c) => c.metadata!.name)).toEqual(['s1', 's2', 's3']);
    expect(first.metadata!.remainingItemCount).toBe(1);
    const second = await core.listNamespacedConfigMap({ namespace: 'crud', labelSelector: 'sel=yes', limit: 3, _continue: first.metadata!._continue! });
    expect(second.items.map((c) => c.metadata!.name)).toEqual(['s4']);
    expect(second.metadata!._continue).toBeUndefined();
  });
});

describe('request log', () => {
  it('records user, verb, group, resource, subresource, namespace and name of every resource request', async () => {
    const before = f.server.requestLog().length;
    await core.readNamespacedPod({ name: 'patchy', namespace: 'crud' });
    await core.listNamespacedConfigMap({ namespace: 'crud' });
    await core.patchNamespacedPodStatus({ name: 'patchy', namespace: 'crud', body: { status: { phase: 'Running' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await rawRequest(f.kc, 'DELETE', '/api/v1/namespaces/crud/configmaps?labelSelector=app%3Dc');
    expect(f.server.requestLog().slice(before)).toEqual([
      { user: 'kubernetes-admin', verb: 'get', apiGroup: '', resource: 'pods', namespace: 'crud', name: 'patchy' },
      { user: 'kubernetes-admin', verb: 'list', apiGroup: '', resource: 'configmaps', namespace: 'crud' },
      { user: 'kubernetes-admin', verb: 'patch', apiGroup: '', resource: 'pods', subresource: 'status', namespace: 'crud', name: 'patchy' },
      { user: 'kubernetes-admin', verb: 'deletecollection', apiGroup: '', resource: 'configmaps', namespace: 'crud' },
    ]);
    expect((await core.listNamespacedConfigMap({ namespace: 'crud', labelSelector: 'sel=yes' })).items.map((c) => c.metadata!.name)).toEqual(['s1', 's2', 's3']);
  });

  it('attributes requests made with a service account token to that service account', async () => {
    const token = f.server.tokenFor('crud', 'default');
    const res = await rawRequest(f.kc, 'GET', '/api/v1/namespaces/crud/configmaps/s1', undefined, 'application/json', { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(f.server.requestLog().at(-1)).toEqual({ user: 'system:serviceaccount:crud:default', verb: 'get', apiGroup: '', resource: 'configmaps', namespace: 'crud', name: 's1' });
    const issued = await rawRequest(f.kc, 'POST', '/api/v1/namespaces/crud/serviceaccounts/default/token', { spec: { audiences: ['x'] } });
    expect(issued.status).toBe(201);
    expect(issued.body.status.token).toBe(token);
  });
});

describe('field validation of built-in kinds', () => {
  it('knows the fields of every built-in kind it serves', async () => {
    const { builtinResources } = await import('../../../sandbox/apiserver/builtin-resources.ts');
    const { hasBuiltinModel } = await import('../../../sandbox/apiserver/builtin-field-schema.ts');
    expect(builtinResources().filter((t) => !hasBuiltinModel(t.kind)).map((t) => t.kind)).toEqual([]);
  });

  it('rejects unknown fields under kubectl strict validation and drops them otherwise, as decoding into Go structs does', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'typo', namespace: 'crud' },
      spec: { replica: 2, selector: { matchLabels: { app: 't' } }, template: { metadata: { labels: { app: 't' } }, spec: { containers: [{ name: 'c', image: 'x', imagePolicy: 'Always' }] } } },
    };
    const strict = await f.kubectl(['apply', '-f', '-'], JSON.stringify(deployment));
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe(
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagePolicy"\n',
    );
    const lenient = await f.kubectl(['apply', '--validate=false', '-f', '-'], JSON.stringify(deployment));
    expect(lenient.code).toBe(0);
    const stored = JSON.parse(await f.kubectlOk(['-n', 'crud', 'get', 'deployment', 'typo', '-o', 'json']));
    expect(stored.spec.replica).toBeUndefined();
    expect(stored.spec.replicas).toBe(1);
    expect(Object.keys(stored.spec.template.spec.containers[0])).not.toContain('imagePolicy');
  });

  it('refuses values of the wrong type, as decoding into Go structs does', async () => {
    const deployment = (replicas: unknown, args: unknown[]) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'typed', namespace: 'crud' },
        spec: { replicas, selector: { matchLabels: { app: 't' } }, template: { metadata: { labels: { app: 't' } }, spec: { containers: [{ name: 'c', image: 'x', args }] } } },
      });
    const replicas = await f.kubectl(['apply', '-f', '-'], deployment('2', []));
    expect(replicas.stderr).toBe(
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32\n',
    );
    const args = await f.kubectl(['apply', '-f', '-'], deployment(2, ['--port', 8080]));
    expect(args.stderr).toBe(
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.args of type string\n',
    );
  });
});
