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

  it('enforces Pod Security admission on a namespace labelled restricted', async () => {
    const ns = `${cluster.namespace}-restricted`;
    await cluster.kubectlOk(['create', 'namespace', ns]);
    try {
      await cluster.kubectlOk(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
      const privileged = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'privileged', namespace: ns }, spec: { containers: [{ name: 'main', image: 'node', command: ['node', '-e', ''], securityContext: { privileged: true } }] } };
      const refused = await cluster.kubectl(['apply', '--namespace', ns, '-f', '-'], JSON.stringify(privileged));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('violates PodSecurity "restricted:latest": privileged (container "main" must not set securityContext.privileged=true)');
    } finally {
      await cluster.kubectlOk(['delete', 'namespace', ns, '--wait=false']);
    }
  });

  it('evaluates ValidatingAdmissionPolicies', async () => {
    const policy = `e2e-no-forbidden-${Date.now()}`;
    const manifests = [
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: policy },
        spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] },
          validations: [{ expression: "!has(object.data) || !('forbidden' in object.data)", message: 'configmaps may not hold the key forbidden' }] } },
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: policy },
        spec: { policyName: policy, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': cluster.namespace } } } } },
    ];
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }));
    try {
      // the policy takes effect once the API server has loaded it: the first refusal is the proof
      const configMap = (name: string, key: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { [key]: 'x' } });
      let refused: Awaited<ReturnType<typeof cluster.kubectl>> | undefined;
      for (let attempt = 0; attempt < 100 && refused === undefined; attempt++) {
        const r = await cluster.kubectl(['create', '-f', '-'], configMap(`probe-${attempt}`, 'forbidden'));
        if (r.code !== 0) refused = r;
      }
      expect(refused?.stderr).toContain(`ValidatingAdmissionPolicy '${policy}' with binding '${policy}' denied request: configmaps may not hold the key forbidden`);
      await cluster.kubectlOk(['create', '-f', '-'], configMap('allowed', 'fine'));
    } finally {
      await cluster.kubectlOk(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', policy]);
    }
  });
});
