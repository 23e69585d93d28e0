import { describe, it, expect } from '@jest/globals';
import { ApiError, type ApiClient, type WatchEvent } from '../../../../sandbox/kube-api/api-client.ts';
import { startInformer, type InformerEvent } from '../../../../sandbox/kubelet/informer.ts';
import type { ConfigMap, ListOf } from '../../../../sandbox/kube-api/kube-types.ts';
import { waitFor } from '../../../support/processes.ts';

const cm = (name: string, rv: string, v: string): ConfigMap => ({ metadata: { namespace: 'default', name, resourceVersion: rv }, data: { v } });

/**
 * An API server whose history is gone: the first watch streams one change and ends, resuming from
 * its resourceVersion is answered with 410 Gone (as after a compaction), and the relist then shows
 * what changed in between. The real API server's watch cache is too large for a test to outrun.
 */
function compactingServer() {
  const lists: ListOf<ConfigMap>[] = [
    { metadata: { resourceVersion: '10' }, items: [cm('a', '5', '1'), cm('b', '6', '1')] },
    { metadata: { resourceVersion: '20' }, items: [cm('a', '15', '3'), cm('c', '18', '1')] },
  ];
  const requests: string[] = [];
  let watches = 0;
  const client = {
    async get(path: string) {
      requests.push(`GET ${path}`);
      return lists.shift() ?? { metadata: { resourceVersion: '20' }, items: [cm('a', '15', '3'), cm('c', '18', '1')] };
    },
    async watch(path: string, signal: AbortSignal, onEvent: (event: WatchEvent<ConfigMap>) => void) {
      requests.push(`WATCH ${path}`);
      watches++;
      if (watches === 1) {
        onEvent({ type: 'MODIFIED', object: cm('a', '11', '2') });
        onEvent({ type: 'BOOKMARK', object: cm('', '12', '') });
        return;
      }
      if (watches === 2) throw new ApiError(410, 'Expired', 'too old resource version: 12 (19)');
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
    },
  };
  return { client: client as unknown as ApiClient, requests };
}

describe('kubelet informer', () => {
  it('resumes a watch from the last resourceVersion (bookmarks included) and relists on 410 Gone, turning the new list into updates and deletes', async () => {
    const { client, requests } = compactingServer();
    const events: [InformerEvent, string, string | undefined][] = [];
    const errors: unknown[] = [];
    const informer = startInformer<ConfigMap>({
      client,
      path: '/api/v1/namespaces/default/configmaps',
      fieldSelector: 'metadata.name!=ignored',
      onEvent: (type, obj) => events.push([type, obj.metadata.name, obj.data?.v]),
      onError: (err) => errors.push(err),
    });
    try {
      await informer.synced;
      await waitFor('third watch', () => (requests.length === 5 ? true : undefined), 5_000);
      const selector = `fieldSelector=${encodeURIComponent('metadata.name!=ignored')}`;
      expect(requests).toEqual([
        `GET /api/v1/namespaces/default/configmaps?${selector}`,
        `WATCH /api/v1/namespaces/default/configmaps?${selector}&watch=true&allowWatchBookmarks=true&resourceVersion=10`,
        `WATCH /api/v1/namespaces/default/configmaps?${selector}&watch=true&allowWatchBookmarks=true&resourceVersion=12`,
        `GET /api/v1/namespaces/default/configmaps?${selector}`,
        `WATCH /api/v1/namespaces/default/configmaps?${selector}&watch=true&allowWatchBookmarks=true&resourceVersion=20`,
      ]);
      expect(events).toEqual([
        ['add', 'a', '1'],
        ['add', 'b', '1'],
        ['update', 'a', '2'],
        ['update', 'a', '3'],
        ['add', 'c', '1'],
        ['delete', 'b', '1'],
      ]);
      expect(informer.list().map((o) => `${o.metadata.name}=${o.data?.v}`)).toEqual(['a=3', 'c=1']);
      // a 410 is the normal end of a too-old watch, not an error
      expect(errors).toEqual([]);
    } finally {
      informer.stop();
    }
  });
});
