import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { isApiError } from '../../../sandbox/kube-api/api-client.ts';
import { waitFor } from '../../support/processes.ts';
import { useCluster, type E2eCluster } from '../support/cluster.ts';
import { alive, apply, containerPid, EXTRA_NODE_TAINT, nodePod, onNode, podWhere, startExtraNode, type ExtraNode } from './pods.ts';

const NS = 'e2e-kubelet-stop';
const NODE = 'e2e-stop-node';

/** Pids whose command line is exactly `argv`. */
function pidsRunning(argv: string[]): number[] {
  const wanted = argv.join('\0') + '\0';
  return readdirSync('/proc')
    .filter((name) => /^[0-9]+$/.test(name))
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8') === wanted;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('process kubelet: shutdown (a second kubelet, its own node, on the shared control plane)', () => {
  let cluster: E2eCluster;
  let node: ExtraNode | undefined;
  beforeAll(async () => {
    cluster = await useCluster(NS);
  });
  afterAll(async () => {
    try {
      await node?.remove();
    } finally {
      await cluster?.release();
    }
  });

  it('registers its own tainted node with its own certificate, and kills every process it started, children included, when it stops', async () => {
    node = await startExtraNode(cluster, NODE);
    // admission taints a new Node not-ready until the node lifecycle controller has seen it Ready
    const registered = await waitFor('the not-ready taint lifted from the new node', async () => {
      const n = JSON.parse(await cluster.kubectlOk(['get', 'node', NODE, '-o', 'json'])) as { spec: { taints?: { key: string }[] }; status: { conditions: { type: string; status: string }[] } };
      return n.spec.taints?.some((t) => t.key === 'node.kubernetes.io/not-ready') ? undefined : n;
    }, 60_000);
    expect(registered.spec.taints).toEqual([EXTRA_NODE_TAINT]);
    expect(registered.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    const lease = JSON.parse(await cluster.kubectlOk(['get', 'lease', '-n', 'kube-node-lease', NODE, '-o', 'json'])) as { metadata: { ownerReferences: unknown[] } };
    expect(lease.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: NODE, uid: expect.any(String) }]);

    const script = `
      const child = require('child_process').spawn('sleep', ['1000'], { stdio: 'ignore' });
      console.log(child.pid);
      setInterval(() => {}, 1000);`;
    // b's exec liveness probe never finishes: the probe's process must die with the kubelet too
    const hangingProbe = ['sleep', `${process.pid}.5`];
    await apply(cluster, onNode(nodePod('a', script), NODE));
    await apply(cluster, onNode(nodePod('b', script, { container: { livenessProbe: { exec: { command: hangingProbe }, timeoutSeconds: 600 } } }), NODE));
    const pids: number[] = [];
    for (const name of ['a', 'b']) {
      const pod = await podWhere(cluster, name, 'Running', (p) => p.status?.phase === 'Running');
      expect(pod.spec.nodeName).toBe(NODE);
      pids.push(containerPid(pod));
      pids.push(Number(await waitFor(`${name} child pid`, async () => (await cluster.kubectlOk(['logs', name])).trim() || undefined)));
    }
    pids.push(...(await waitFor('hanging probe running', () => {
      const found = pidsRunning(hangingProbe);
      return found.length > 0 ? found : undefined;
    })));
    expect(pids.every(alive)).toBe(true);
    await node.kubelet.stop();
    await waitFor('all pod processes gone', () => (pids.some(alive) ? undefined : true), 5_000);
    expect(pids.filter(alive)).toEqual([]);
    // pods stay in the API when a kubelet stops, as on a node that went away
    expect((await cluster.pod('a'))?.spec.nodeName).toBe(NODE);
    // no kubelet will confirm their deletion any more
    await cluster.kubectlOk(['delete', 'pod', 'a', 'b', '--force', '--grace-period=0']);

    await node.remove();
    node = undefined;
    expect(await cluster.kubectl(['get', 'node', NODE])).toMatchObject({ code: 1, stderr: `Error from server (NotFound): nodes "${NODE}" not found\n` });
    // the garbage collector removes the Lease the Node owned
    await waitFor('Lease collected', async () => {
      try {
        await cluster.api.get(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${NODE}`);
        return undefined;
      } catch (err) {
        return isApiError(err, 404) ? true : undefined;
      }
    });
  });
});
