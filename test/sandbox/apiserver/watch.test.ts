import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, PatchStrategy, Watch, makeInformer, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { eventually, rawRequest, startApiServerFixture, type ApiServerFixture } from './api-server-fixture.ts';

let f: ApiServerFixture;
let core: CoreV1Api;
const HISTORY = 20;

beforeAll(async () => {
  f = await startApiServerFixture({ watchHistorySize: HISTORY, watchBookmarkIntervalMs: 200 });
  core = f.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'w' } } });
});
afterAll(async () => f?.stop());

interface Seen {
  type: string;
  name?: string;
  data?: Record<string, string>;
  object: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Starts a watch and collects its events until stopped. */
async function collect(path: string, query: Record<string, string | number | boolean | undefined>): Promise<{ events: Seen[]; done: Promise<unknown>; stop: () => void }> {
  const events: Seen[] = [];
  let finish!: (err: unknown) => void;
  const done = new Promise((resolve) => (finish = resolve));
  const req = await new Watch(f.kc).watch(
    path,
    query,
    (type, object) => events.push({ type, name: object?.metadata?.name, data: object?.data, object }),
    (err) => finish(err ?? null),
  );
  return { events, done, stop: () => req.abort() };
}

const configMap = (name: string, data: Record<string, string>, labels?: Record<string, string>): V1ConfigMap => ({ metadata: { name, ...(labels ? { labels } : {}) }, data });

describe('watch', () => {
  it('resumes from a resourceVersion with exactly the later changes, in order', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'w', body: configMap('resume', { v: '1' }) });
    await core.replaceNamespacedConfigMap({ name: 'resume', namespace: 'w', body: { ...created, data: { v: '2' } } });
    await core.deleteNamespacedConfigMap({ name: 'resume', namespace: 'w' });
    const w = await collect('/api/v1/namespaces/w/configmaps', { resourceVersion: created.metadata!.resourceVersion });
    await eventually('two events', () => (w.events.length >= 2 ? true : undefined));
    w.stop();
    expect(w.events.map((e) => [e.type, e.name, e.data])).toEqual([
      ['MODIFIED', 'resume', { v: '2' }],
      ['DELETED', 'resume', { v: '2' }],
    ]);
    expect(Number(w.events[1]!.object.metadata.resourceVersion)).toBeGreaterThan(Number(w.events[0]!.object.metadata.resourceVersion));
  });

  it('starts with ADDED events for existing objects when no resourceVersion is given, then streams live changes', async () => {
    await core.createNamespacedConfigMap({ namespace: 'w', body: configMap('live-a', { v: '1' }, { set: 'live' }) });
    const w = await collect('/api/v1/namespaces/w/configmaps', { labelSelector: 'set=live' });
    await core.createNamespacedConfigMap({ namespace: 'w', body: configMap('live-b', { v: '1' }, { set: 'live' }) });
    await core.patchNamespacedConfigMap({ name: 'live-a', namespace: 'w', body: { data: { v: '9' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    // leaving the selector is a DELETED for this watch, entering it an ADDED
    await core.patchNamespacedConfigMap({ name: 'live-b', namespace: 'w', body: { metadata: { labels: { set: 'other' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await core.patchNamespacedConfigMap({ name: 'live-b', namespace: 'w', body: { metadata: { labels: { set: 'live' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await eventually('five events', () => (w.events.length >= 5 ? true : undefined));
    w.stop();
    expect(w.events.map((e) => [e.type, e.name])).toEqual([
      ['ADDED', 'live-a'],
      ['ADDED', 'live-b'],
      ['MODIFIED', 'live-a'],
      ['DELETED', 'live-b'],
      ['ADDED', 'live-b'],
    ]);
  });

  it('answers a too-old resourceVersion with a 410 Expired ERROR event, and a too-old continue token with 410', async () => {
    const first = await core.listNamespacedConfigMap({ namespace: 'w', limit: 1 });
    const old = (await core.createNamespacedConfigMap({ namespace: 'w', body: configMap('old', {}) })).metadata!.resourceVersion!;
    for (let i = 0; i < HISTORY + 5; i++) await core.createNamespacedConfigMap({ namespace: 'w', body: configMap(`churn-${i}`, {}) });
    const w = await collect('/api/v1/namespaces/w/configmaps', { resourceVersion: old });
    await w.done;
    expect(w.events).toHaveLength(1);
    expect(w.events[0]!.type).toBe('ERROR');
    expect(w.events[0]!.object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(w.events[0]!.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    const expired = await rawRequest(f.kc, 'GET', `/api/v1/namespaces/w/configmaps?limit=1&continue=${first.metadata!._continue}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
  });

  it('keeps a resourceVersion watchable however much other resources change', async () => {
    const rv = (await core.createNamespacedConfigMap({ namespace: 'w', body: configMap('quiet', {}) })).metadata!.resourceVersion!;
    for (let i = 0; i < HISTORY + 5; i++) await core.createNamespacedSecret({ namespace: 'w', body: { metadata: { name: `noise-${i}` } } });
    const w = await collect('/api/v1/namespaces/w/configmaps', { resourceVersion: rv });
    await core.deleteNamespacedConfigMap({ name: 'quiet', namespace: 'w' });
    await eventually('the deletion', () => (w.events.length >= 1 ? true : undefined));
    w.stop();
    expect(w.events.map((e) => [e.type, e.name])).toEqual([['DELETED', 'quiet']]);
  });

  it('sends bookmarks when allowed, and ends the stream after timeoutSeconds', async () => {
    const w = await collect('/api/v1/namespaces/w/configmaps', { allowWatchBookmarks: true, resourceVersion: String(await currentRv()), timeoutSeconds: 1 });
    await w.done;
    const bookmarks = w.events.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThanOrEqual(1);
    expect(bookmarks[0]!.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
    expect(w.events.filter((e) => e.type !== 'BOOKMARK')).toEqual([]);
  });

  it('streams Table rows when kubectl asks for them (kubectl get -w)', async () => {
    const rv = await currentRv();
    const res = await rawRequest(f.kc, 'GET', `/api/v1/namespaces/w/configmaps?watch=true&timeoutSeconds=1&resourceVersion=${rv}&labelSelector=tbl%3Dyes`, undefined, 'application/json', {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    const pending = rawRequest(f.kc, 'GET', `/api/v1/namespaces/w/configmaps?watch=true&timeoutSeconds=1&resourceVersion=${rv}&labelSelector=tbl%3Dyes`, undefined, 'application/json', {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    await core.createNamespacedConfigMap({ namespace: 'w', body: configMap('tabled', { a: '1' }, { tbl: 'yes' }) });
    const body = (await pending).body;
    const lines = typeof body === 'string' ? body.trim().split('\n').map((l) => JSON.parse(l)) : [body];
    expect(lines).toHaveLength(1);
    expect(lines[0].type).toBe('ADDED');
    expect(lines[0].object).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', rows: [{ cells: ['tabled', 1, expect.stringMatching(/^\d+s$/)] }] });
    expect(lines[0].object.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Data', 'Age']);
  });

  it('watches a single object through the watch path prefix', async () => {
    const rv = await currentRv();
    const w = await collect('/api/v1/watch/namespaces/w/configmaps/single', { resourceVersion: String(rv) });
    await core.createNamespacedConfigMap({ namespace: 'w', body: configMap('other', {}) });
    await core.createNamespacedConfigMap({ namespace: 'w', body: configMap('single', {}) });
    await eventually('one event', () => (w.events.length >= 1 ? true : undefined));
    w.stop();
    expect(w.events.map((e) => [e.type, e.name])).toEqual([['ADDED', 'single']]);
  });

  async function currentRv(): Promise<number> {
    return Number((await core.listNamespacedConfigMap({ namespace: 'w', limit: 1 })).metadata!.resourceVersion);
  }
});

describe('client-node informer', () => {
  it('sees add, update and delete', async () => {
    await core.createNamespace({ body: { metadata: { name: 'inf' } } });
    const informer = makeInformer(f.kc, '/api/v1/namespaces/inf/configmaps', () => core.listNamespacedConfigMap({ namespace: 'inf' }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata!.name} ${JSON.stringify(o.data ?? {})}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata!.name} ${JSON.stringify(o.data ?? {})}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata!.name}`));
    await core.createNamespacedConfigMap({ namespace: 'inf', body: configMap('before', { a: '1' }) });
    await informer.start();
    try {
      await f.kubectlOk(['-n', 'inf', 'create', 'configmap', 'after', '--from-literal=b=2']);
      await f.kubectlOk(['-n', 'inf', 'patch', 'configmap', 'before', '--type=merge', '-p', '{"data":{"a":"3"}}']);
      await f.kubectlOk(['-n', 'inf', 'delete', 'configmap', 'after']);
      await eventually('four informer callbacks', () => (seen.length >= 4 ? true : undefined));
      expect(seen).toEqual(['add before {"a":"1"}', 'add after {"b":"2"}', 'update before {"a":"3"}', 'delete after']);
      expect(informer.list('inf').map((o) => o.metadata!.name)).toEqual(['before']);
    } finally {
      await informer.stop();
    }
  });
});
