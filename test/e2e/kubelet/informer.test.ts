import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { WatchEvent } from '../../../sandbox/kube-api/api-client.ts';
import { startInformer, type InformerEvent } from '../../../sandbox/kubelet/informer.ts';
import type { ConfigMap } from '../../../sandbox/kube-api/kube-types.ts';
import { waitFor } from '../../support/processes.ts';
import { useCluster, type E2eCluster } from '../support/cluster.ts';

const NS = 'e2e-kubelet-informer';

describe('kubelet informer against the real API server', () => {
  let cluster: E2eCluster;
  beforeAll(async () => {
    cluster = await useCluster(NS);
  });
  afterAll(() => cluster?.release());

  it('converges to the API state across watch timeouts, reporting adds, updates and deletes, honouring the field selector', async () => {
    const path = `/api/v1/namespaces/${NS}/configmaps`;
    const events: [InformerEvent, string, string | undefined][] = [];
    const watches: string[] = [];
    let lists = 0;
    // counts the lists and watches the informer makes, to show it resumed after the server ended a watch
    const client = Object.create(cluster.api, {
      get: {
        value: (p: string) => {
          lists++;
          return cluster.api.get(p);
        },
      },
      watch: {
        value: <T>(p: string, signal: AbortSignal, onEvent: (e: WatchEvent<T>) => void) => {
          watches.push(new URLSearchParams(p.split('?')[1]).get('resourceVersion')!);
          return cluster.api.watch(p, signal, onEvent);
        },
      },
    }) as typeof cluster.api;
    const informer = startInformer<ConfigMap>({
      client,
      path,
      fieldSelector: 'metadata.name!=ignored',
      watchTimeoutSeconds: 1,
      onEvent: (type, cm) => {
        if (cm.metadata.name !== 'kube-root-ca.crt') events.push([type, cm.metadata.name, cm.data?.v]);
      },
    });
    try {
      await informer.synced;
      const post = (name: string, v: string) => cluster.api.request('POST', path, { metadata: { name }, data: { v } });
      const put = async (name: string, v: string) => {
        const cm = await cluster.api.get<ConfigMap>(`${path}/${name}`);
        await cluster.api.request('PUT', `${path}/${name}`, { ...cm, data: { v } });
      };
      await post('a', '1');
      await post('ignored', '1');
      await waitFor('a added', () => (informer.get(`${NS}/a`) ? true : undefined));
      // let the server end the watch (after 1 s): the informer resumes from the last resourceVersion it saw
      const opened = watches.length;
      await waitFor('a resumed watch', () => (watches.length > opened ? true : undefined), 10_000);
      await post('b', '1');
      for (let i = 2; i <= 8; i++) await put('a', String(i));
      await cluster.api.request('DELETE', `${path}/b`);
      await post('c', '1');
      await waitFor('cache converged', () => {
        const names = informer.list().map((cm) => `${cm.metadata.name}=${cm.data?.v ?? ''}`).sort();
        return names.join(',') === 'a=8,c=1,kube-root-ca.crt=' ? names : undefined;
      }, 15_000);
      expect(events).toEqual([
        ['add', 'a', '1'],
        ['add', 'b', '1'],
        ...[2, 3, 4, 5, 6, 7, 8].map((i): [InformerEvent, string, string] => ['update', 'a', String(i)]),
        ['delete', 'b', '1'],
        ['add', 'c', '1'],
      ]);
      // one list, then watches resumed from ever newer resourceVersions, never a relist
      expect(lists).toBe(1);
      expect(watches.length).toBeGreaterThan(1);
      expect(watches.map(Number)).toEqual([...watches.map(Number)].sort((x, y) => x - y));
    } finally {
      informer.stop();
    }
  });
});
