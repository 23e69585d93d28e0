import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { rawRequest, startApiServerFixture, type ApiServerFixture } from './api-server-fixture.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
let f: ApiServerFixture;
let custom: CustomObjectsApi;

beforeAll(async () => {
  f = await startApiServerFixture();
  custom = f.kc.makeApiClient(CustomObjectsApi);
  await f.kubectlOk(['create', 'namespace', 'crd']);
});
afterAll(async () => f?.stop());

const widget = (name: string, spec: Record<string, unknown>): string => JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'crd' }, spec });
const getWidget = async (name: string): Promise<any> => JSON.parse(await f.kubectlOk(['-n', 'crd', 'get', 'widget', name, '-o', 'json'])); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('CustomResourceDefinitions', () => {
  it('registers the resource at run time: Established, discoverable, served', async () => {
    expect(await f.kubectlOk(['apply', '-f', join(fixtures, 'widgets-crd.yaml')])).toBe('customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n');
    expect(await f.kubectlOk(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s'])).toBe(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n',
    );
    const resources = await f.kubectlOk(['api-resources', '--api-group=example.com']);
    expect(resources).toMatch(/^widgets\s+wd\s+example.com\/v1\s+true\s+Widget$/m);
    const crd = JSON.parse(await f.kubectlOk(['get', 'crd', 'widgets.example.com', '-o', 'json']));
    expect(crd.status.acceptedNames).toMatchObject({ kind: 'Widget', plural: 'widgets', listKind: 'WidgetList' });
    expect(crd.status.storedVersions).toEqual(['v1']);
  });

  it('applies a valid custom resource with defaults filled in', async () => {
    expect(await f.kubectlOk(['apply', '-f', '-'], widget('alpha', { size: 'small', settings: { free: { form: [1, 2] } }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { any: 1 } } }))).toBe(
      'widget.example.com/alpha created\n',
    );
    const w = await getWidget('alpha');
    expect(w.spec).toEqual({
      size: 'small',
      replicas: 1,
      port: 'http',
      settings: { free: { form: [1, 2] } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { any: 1 } },
    });
    expect(w.metadata.generation).toBe(1);
    expect(w.status).toBeUndefined();
  });

  it('accepts int-or-string values of both kinds', async () => {
    await f.kubectlOk(['apply', '-f', '-'], widget('numeric-port', { size: 'large', port: 8080 }));
    expect((await getWidget('numeric-port')).spec.port).toBe(8080);
  });

  it('rejects unknown fields under kubectl strict validation, prunes them with a warning under --validate=warn and silently with --validate=false', async () => {
    const strict = await f.kubectl(['apply', '-f', '-'], widget('extra', { size: 'small', colour: 'red' }));
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe('Error from server (BadRequest): error when creating "STDIN": Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.colour"\n');
    const warn = await f.kubectl(['apply', '--validate=warn', '-f', '-'], widget('extra', { size: 'small', colour: 'red' }));
    expect(warn.code).toBe(0);
    expect(warn.stderr).toBe('Warning: unknown field "spec.colour"\n');
    expect((await getWidget('extra')).spec).toEqual({ size: 'small', replicas: 1, port: 'http' });
    await f.kubectlOk(['apply', '--validate=false', '-f', '-'], widget('quiet', { size: 'small', colour: 'red', shape: { round: true } }));
    expect((await getWidget('quiet')).spec).toEqual({ size: 'small', replicas: 1, port: 'http' });
  });

  it('rejects an invalid custom resource with the schema errors kubectl prints', async () => {
    const r = await f.kubectl(['apply', '-f', '-'], widget('bad', { size: 'huge', replicas: -1 }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'The Widget "bad" is invalid: \n' +
        '* spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0\n' +
        '* spec.size: Unsupported value: "huge": supported values: "small", "large"\n',
    );
    const missing = await f.kubectl(['apply', '-f', '-'], widget('bad', { replicas: 2 }));
    expect(missing.stderr).toBe('The Widget "bad" is invalid: spec.size: Required value\n');
    const wrongType = await f.kubectl(['apply', '-f', '-'], widget('bad', { size: 'small', replicas: 'three' }));
    expect(wrongType.stderr).toBe('The Widget "bad" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "three"\n');
    expect((await f.kubectl(['-n', 'crd', 'get', 'widget', 'bad'])).code).toBe(1);
  });

  it('prints additionalPrinterColumns in kubectl get, priority columns with -o wide', async () => {
    await custom.patchNamespacedCustomObjectStatus(
      { group: 'example.com', version: 'v1', namespace: 'crd', plural: 'widgets', name: 'alpha', body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const out = await f.kubectlOk(['-n', 'crd', 'get', 'widgets']);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SIZE\s+REPLICAS\s+PHASE\s+READY\s+AGE$/);
    expect(lines.find((l) => l.startsWith('alpha '))).toMatch(/^alpha\s+small\s+1\s+Running\s+True\s+\d+s$/);
    expect(lines.find((l) => l.startsWith('numeric-port '))).toMatch(/^numeric-port\s+large\s+1\s+\s+\d+s$/);
    const wide = await f.kubectlOk(['-n', 'crd', 'get', 'wd', 'numeric-port', '-o', 'wide']);
    expect(wide).toMatch(/^NAME\s+SIZE\s+REPLICAS\s+PHASE\s+READY\s+PORT\s+AGE\nnumeric-port\s+large\s+1\s+8080\s+\d+s\n$/);
  });

  it('bumps generation on spec changes only; the status subresource ignores spec and the main resource ignores status', async () => {
    const before = await getWidget('alpha');
    await f.kubectlOk(['-n', 'crd', 'patch', 'widget', 'alpha', '--type=merge', '-p', '{"metadata":{"labels":{"x":"y"}},"status":{"phase":"Hacked"}}']);
    let w = await getWidget('alpha');
    expect(w.metadata.generation).toBe(before.metadata.generation);
    expect(w.metadata.labels).toEqual({ x: 'y' });
    expect(w.status.phase).toBe('Running');
    await f.kubectlOk(['-n', 'crd', 'patch', 'widget', 'alpha', '--subresource=status', '--type=merge', '-p', '{"spec":{"size":"large"},"status":{"phase":"Done"}}']);
    w = await getWidget('alpha');
    expect(w.metadata.generation).toBe(before.metadata.generation);
    expect(w.spec.size).toBe('small');
    expect(w.status.phase).toBe('Done');
    await f.kubectlOk(['-n', 'crd', 'patch', 'widget', 'alpha', '--type=merge', '-p', '{"spec":{"size":"large"}}']);
    expect((await getWidget('alpha')).metadata.generation).toBe(before.metadata.generation + 1);
  });

  it('validates status writes against the schema like any other write', async () => {
    const r = await f.kubectl(['-n', 'crd', 'patch', 'widget', 'alpha', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":"many"}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'The Widget "alpha" is invalid: status.replicas: Invalid value: "string": status.replicas in body must be of type integer: "many"\n',
    );
    expect((await getWidget('alpha')).status.replicas).toBeUndefined();
  });

  it('scales through the scale subresource with kubectl scale', async () => {
    await custom.patchNamespacedCustomObjectStatus(
      { group: 'example.com', version: 'v1', namespace: 'crd', plural: 'widgets', name: 'alpha', body: { status: { replicas: 1, selector: 'app=alpha' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(await f.kubectlOk(['-n', 'crd', 'scale', 'widget', 'alpha', '--replicas=5'])).toBe('widget.example.com/alpha scaled\n');
    expect((await getWidget('alpha')).spec.replicas).toBe(5);
    const scale = await rawRequest(f.kc, 'GET', '/apis/example.com/v1/namespaces/crd/widgets/alpha/scale');
    expect(scale.body).toMatchObject({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'alpha', namespace: 'crd' }, spec: { replicas: 5 }, status: { replicas: 1, selector: 'app=alpha' } });
    const stale = await rawRequest(f.kc, 'PUT', '/apis/example.com/v1/namespaces/crd/widgets/alpha/scale', { ...scale.body, spec: { replicas: 2 }, metadata: { ...scale.body.metadata, resourceVersion: '1' } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toBe('Operation cannot be fulfilled on widgets.example.com "alpha": the object has been modified; please apply your changes to the latest version and try again');
  });
});

describe('server-side apply', () => {
  it('applies with a field manager, records managedFields, and reports a conflict between managers', async () => {
    const manifest = (size: string, replicas: number): string =>
      JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'ssa', namespace: 'crd' }, spec: { size, replicas } });
    expect(await f.kubectlOk(['apply', '--server-side', '--field-manager=alice', '-f', '-'], manifest('small', 2))).toBe('widget.example.com/ssa serverside-applied\n');
    const w = JSON.parse(await f.kubectlOk(['-n', 'crd', 'get', 'widget', 'ssa', '-o', 'json', '--show-managed-fields']));
    expect(w.metadata.managedFields).toEqual([
      { manager: 'alice', operation: 'Apply', apiVersion: 'example.com/v1', time: expect.any(String), fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:size': {} } } },
    ]);
    const conflict = await f.kubectl(['apply', '--server-side', '--field-manager=bob', '-f', '-'], manifest('large', 2));
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "alice": .spec.size');
    const same = await f.kubectl(['apply', '--server-side', '--field-manager=bob', '-f', '-'], manifest('small', 2));
    expect(same.code).toBe(0);
    await f.kubectlOk(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', '-'], manifest('large', 3));
    const forced = JSON.parse(await f.kubectlOk(['-n', 'crd', 'get', 'widget', 'ssa', '-o', 'json', '--show-managed-fields']));
    expect(forced.spec).toMatchObject({ size: 'large', replicas: 3 });
    const owners = Object.fromEntries(forced.metadata.managedFields.map((m: { manager: string; fieldsV1: unknown }) => [m.manager, m.fieldsV1]));
    expect(owners).toEqual({ bob: { 'f:spec': { 'f:replicas': {}, 'f:size': {} } } });
  });

  it('removes fields a manager stops applying, and merges associative lists by key', async () => {
    const apply = (spec: Record<string, unknown>, manager: string) =>
      f.kubectlOk(['apply', '--server-side', `--field-manager=${manager}`, '-f', '-'], JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'lists', namespace: 'crd' }, spec }));
    await apply({ size: 'small', ports: [{ name: 'a', number: 1 }], settings: { keep: 1 } }, 'one');
    await apply({ size: 'small', ports: [{ name: 'b', number: 2 }] }, 'two');
    expect((await getWidget('lists')).spec.ports).toEqual([{ name: 'a', number: 1 }, { name: 'b', number: 2 }]);
    await apply({ size: 'small' }, 'one');
    const w = await getWidget('lists');
    expect(w.spec.ports).toEqual([{ name: 'b', number: 2 }]);
    expect(w.spec.settings?.keep).toBeUndefined();
    expect(w.spec.size).toBe('small');
  });

  it('merges built-in lists by key and reports a conflict with a field another manager changed', async () => {
    const manifest = (image: string, env: { name: string; value: string }[]) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'ssa-deploy', namespace: 'crd' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'ssa' } },
          template: { metadata: { labels: { app: 'ssa' } }, spec: { containers: [{ name: 'a', image, env }, { name: 'b', image: 'b:1' }] } },
        },
      });
    await f.kubectlOk(['apply', '--server-side', '-f', '-'], manifest('a:1', [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }]));
    await f.kubectlOk(['apply', '--server-side', '-f', '-'], manifest('a:2', [{ name: 'X', value: '1' }]));
    const d = JSON.parse(await f.kubectlOk(['-n', 'crd', 'get', 'deployment', 'ssa-deploy', '-o', 'json']));
    expect(d.spec.template.spec.containers.map((c: { image: string; env?: unknown }) => [c.image, c.env])).toEqual([
      ['a:2', [{ name: 'X', value: '1' }]],
      ['b:1', undefined],
    ]);
    await f.kubectlOk(['-n', 'crd', 'set', 'image', 'deployment/ssa-deploy', 'b=b:9']);
    const conflict = await f.kubectl(['apply', '--server-side', '-f', '-'], manifest('a:2', [{ name: 'X', value: '1' }]));
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^error: Apply failed with 1 conflict: conflict with "kubectl-set" using apps\/v1 at \S+: \.spec\.template\.spec\.containers\[name="b"\]\.image\n/);
  });

  it('creates through apply and refuses apply without a field manager', async () => {
    const res = await rawRequest(f.kc, 'PATCH', '/api/v1/namespaces/crd/configmaps/applied?fieldManager=tester', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n', 'application/apply-patch+yaml');
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({ k: 'v' });
    const refused = await rawRequest(f.kc, 'PATCH', '/api/v1/namespaces/crd/configmaps/applied', 'apiVersion: v1\nkind: ConfigMap\n', 'application/apply-patch+yaml');
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe('PATCH, application/apply-patch+yaml requires fieldManager to be set');
  });
});

describe('CRD deletion', () => {
  it('deletes the custom resources, then stops serving the resource', async () => {
    expect(await readFile(join(fixtures, 'widgets-crd.yaml'), 'utf8')).toContain('widgets.example.com');
    await f.kubectlOk(['delete', 'crd', 'widgets.example.com', '--timeout=20s']);
    const gone = await rawRequest(f.kc, 'GET', '/apis/example.com/v1/namespaces/crd/widgets');
    expect(gone.status).toBe(404);
    expect((await rawRequest(f.kc, 'GET', '/apis')).body.groups.map((g: { name: string }) => g.name)).not.toContain('example.com');
    expect((await f.kubectl(['get', 'crd', 'widgets.example.com'])).stderr).toBe('Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "widgets.example.com" not found\n');
  });
});
