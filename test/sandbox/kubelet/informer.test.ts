import { describe, it, expect, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../../sandbox/apiserver/server.ts';
import { ApiClient } from '../../../sandbox/kubelet/api-client.ts';
import { startInformer, type InformerEvent } from '../../../sandbox/kubelet/informer.ts';
import type { ConfigMap } from '../../../sandbox/kubelet/kube-types.ts';
import { waitFor } from '../../support/processes.ts';

describe('kubelet informer against the API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'informer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('converges to the API state across watch timeouts, reporting adds, updates and deletes, honouring the field selector', async () => {
    // watches end every second, so the informer resumes from its last resourceVersion several times
    const api = await startApiServer({ dataDir: join(dir, 'api'), watchTimeoutSeconds: 1, watchHistorySize: 3 });
    const client = new ApiClient({ server: api.url, token: api.adminToken, ca: readFileSync(api.caCertPath, 'utf8') });
    const events: [InformerEvent, string, string | undefined][] = [];
    const informer = startInformer<ConfigMap>({
      client,
      path: '/api/v1/namespaces/default/configmaps',
      fieldSelector: 'metadata.name!=ignored',
      onEvent: (type, cm) => events.push([type, cm.metadata.name, cm.data?.v]),
    });
    try {
      await informer.synced;
      const post = (name: string, v: string) => client.request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name }, data: { v } });
      const put = async (name: string, v: string) => {
        const cm = await client.get<ConfigMap>(`/api/v1/namespaces/default/configmaps/${name}`);
        await client.request('PUT', `/api/v1/namespaces/default/configmaps/${name}`, { ...cm, data: { v } });
      };
      await post('a', '1');
      await post('ignored', '1');
      await waitFor('a added', () => (informer.get('default/a') ? true : undefined));
      // wait past a watch timeout, then change more than the history holds before the informer resumes
      await new Promise((r) => setTimeout(r, 1_100));
      await post('b', '1');
      for (let i = 2; i <= 8; i++) await put('a', String(i));
      await client.request('DELETE', '/api/v1/namespaces/default/configmaps/b');
      await post('c', '1');
      await waitFor('cache converged', () => {
        const names = informer.list().map((cm) => `${cm.metadata.name}=${cm.data?.v}`).sort();
        return names.join(',') === 'a=8,c=1' ? names : undefined;
      }, 15_000);
      expect(events[0]).toEqual(['add', 'a', '1']);
      expect(events.filter(([, name]) => name === 'ignored')).toEqual([]);
      expect(events.at(-1)).toEqual(['add', 'c', '1']);
      expect(events.filter(([type, name]) => type === 'update' && name === 'a').at(-1)).toEqual(['update', 'a', '8']);
      // b was either seen and deleted, or never seen because a relist skipped it entirely
      const bEvents = events.filter(([, name]) => name === 'b').map(([type]) => type);
      expect([[], ['add', 'delete']]).toContainEqual(bEvents);
    } finally {
      informer.stop();
      client.close();
      await api.stop();
    }
  });
});
