import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { useCluster, type E2eCluster } from '../support/cluster.ts';

let cluster: E2eCluster;
beforeAll(async () => {
  cluster = await useCluster('e2e-control-plane');
});
afterAll(() => cluster?.release());

describe('the sandbox control plane', () => {
  it('is the real Kubernetes v1.35.4 API server with its real health checks', async () => {
    const version = JSON.parse(await cluster.kubectlOk(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string; major: string; minor: string } };
    expect(version.serverVersion).toMatchObject({ gitVersion: 'v1.35.4', major: '1', minor: '35' });
    const livez = await cluster.kubectlOk(['get', '--raw', '/livez?verbose']);
    expect(livez).toContain('[+]etcd ok');
    expect(livez).toContain('[+]poststarthook/rbac/bootstrap-roles ok');
    expect(livez.trim().split('\n').at(-1)).toBe('livez check passed');
  });

  it('has the process kubelet as a Ready node whose Lease is renewed', async () => {
    const node = JSON.parse(await cluster.kubectlOk(['get', 'node', 'sandbox-node', '-o', 'json'])) as {
      status: { conditions: { type: string; status: string }[]; nodeInfo: { kubeletVersion: string } };
      spec: { taints?: unknown[] };
    };
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status.nodeInfo.kubeletVersion).toBe('v1.35.4');
    expect(node.spec.taints ?? []).toEqual([]);
    const lease = JSON.parse(await cluster.kubectlOk(['get', 'lease', '-n', 'kube-node-lease', 'sandbox-node', '-o', 'json'])) as { spec: { holderIdentity: string; renewTime: string } };
    expect(lease.spec.holderIdentity).toBe('sandbox-node');
    expect(Date.now() - Date.parse(lease.spec.renewTime)).toBeLessThan(40_000);
  });

  it('gives ClusterIPs only from a loopback range, so none can leave the machine', async () => {
    const ip = (await cluster.kubectlOk(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(ip).toBe('127.200.0.1');
  });

  it('runs MinIO as a pod behind the Service minio.minio', async () => {
    const pods = await cluster.kubectlOk(['get', 'pods', '-n', 'minio', '-l', 'app.kubernetes.io/name=minio', '-o', 'jsonpath={.items[*].status.podIP}']);
    expect(cluster.s3.endpoint).toBe(`http://${pods.trim()}:9000`);
    expect(cluster.s3.clusterEndpoint).toBe('http://minio.minio:9000');
    const health = await fetch(`${cluster.s3.endpoint}/minio/health/ready`);
    expect(health.status).toBe(200);
  });
});
