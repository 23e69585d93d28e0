import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Pod } from '../../../sandbox/kube-api/kube-types.ts';
import { waitFor } from '../../support/processes.ts';
import { useCluster, type E2eCluster } from '../support/cluster.ts';
import { apply, finished, nodePod, podWhere } from './pods.ts';

const NS = 'e2e-kubelet-service-account';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface TokenReview {
  status: { authenticated?: boolean; user?: { username: string; extra?: Record<string, string[]> }; error?: string };
}

describe("process kubelet: service-account tokens from the API server's admission and TokenRequest", () => {
  let cluster: E2eCluster;
  beforeAll(async () => {
    cluster = await useCluster(NS);
  });
  afterAll(() => cluster?.release());

  const review = (token: string) =>
    cluster.api.request<TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });

  it('mounts the admission-injected kube-api-access volume, so in-pod loadFromCluster() works (also as https://kubernetes.default.svc) with exactly what RBAC grants; the token is bound to the pod', async () => {
    // the default ServiceAccount may do nothing until a Role says so
    await apply(cluster, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    await apply(cluster, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'default-reads-pods' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: NS }],
    });
    const script = `
      (async () => {
        const fs = require('fs'), https = require('https');
        const k8s = await import('@kubernetes/client-node');
        const kc = new k8s.KubeConfig();
        kc.loadFromCluster();
        const core = kc.makeApiClient(k8s.CoreV1Api);
        const namespace = kc.getContextObject(kc.currentContext).namespace;
        const me = await core.readNamespacedPod({ namespace, name: process.env.HOSTNAME });
        console.log(me.metadata.name + ' ' + me.status.podIP);
        const denied = await core.listNamespacedPod({ namespace }).then(() => 'allowed', (e) => String(e.code));
        console.log('list ' + denied);
        const sa = '${SA_DIR}/';
        const viaService = await new Promise((resolve, reject) => https.get('https://kubernetes.default.svc/api/v1/namespaces/' + namespace + '/pods/' + process.env.HOSTNAME,
          { ca: fs.readFileSync(sa + 'ca.crt'), headers: { authorization: 'Bearer ' + fs.readFileSync(sa + 'token', 'utf8') } },
          (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(res.statusCode + ' ' + JSON.parse(b).spec.serviceAccountName)); }).on('error', reject));
        console.log(viaService);
        console.log(JSON.stringify({ ca: fs.readFileSync(sa + 'ca.crt', 'utf8'), namespace: fs.readFileSync(sa + 'namespace', 'utf8'), token: fs.readFileSync(sa + 'token', 'utf8') }));
        setInterval(() => {}, 1000);
      })().catch((e) => { console.error(e); process.exit(1); });`;
    await apply(cluster, nodePod('incluster', script));
    const lines = await waitFor('incluster printed its four lines', async () => {
      const out = (await cluster.kubectlOk(['logs', 'incluster'])).split('\n');
      return out.length === 5 ? out : undefined;
    });
    const pod = (await cluster.pod('incluster'))!;
    expect(lines.slice(0, 3)).toEqual([`incluster ${pod.status!.podIP}`, 'list 403', '200 default']);

    // the API server's ServiceAccount admission added the volume and its mount; the kubelet injected nothing of its own
    const volume = pod.spec.volumes!.find((v) => v.name.startsWith('kube-api-access-'))!;
    expect(pod.spec.volumes).toEqual([volume]);
    expect(volume).toEqual({
      name: expect.stringMatching(/^kube-api-access-[a-z0-9]{5}$/),
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    });
    expect(pod.spec.containers[0]!.volumeMounts).toEqual([{ name: volume.name, readOnly: true, mountPath: SA_DIR }]);
    const files = JSON.parse(lines[3]!) as { ca: string; namespace: string; token: string };
    expect({ ca: files.ca, namespace: files.namespace }).toEqual({ ca: readFileSync(cluster.caCertPath, 'utf8'), namespace: NS });

    // the kubelet's TokenRequest named the pod (boundObjectRef): the token says so and lives only as long as the pod
    const claims = JSON.parse(Buffer.from(files.token.split('.')[1]!, 'base64url').toString()) as { sub: string; 'kubernetes.io': Record<string, unknown> };
    expect(claims.sub).toBe(`system:serviceaccount:${NS}:default`);
    expect(claims['kubernetes.io']).toMatchObject({ namespace: NS, pod: { name: 'incluster', uid: pod.metadata.uid }, node: { name: 'sandbox-node' }, serviceaccount: { name: 'default' } });
    const valid = await review(files.token);
    expect(valid.status.authenticated).toBe(true);
    expect(valid.status.user!.username).toBe(`system:serviceaccount:${NS}:default`);
    expect(valid.status.user!.extra).toMatchObject({
      'authentication.kubernetes.io/pod-name': ['incluster'],
      'authentication.kubernetes.io/pod-uid': [pod.metadata.uid],
      'authentication.kubernetes.io/node-name': ['sandbox-node'],
    });

    // what the pod did as its ServiceAccount, in the API server's audit log
    const requests = cluster
      .auditEvents()
      .filter((e) => e.user.username === `system:serviceaccount:${NS}:default`)
      .map((e) => [e.verb, e.objectRef?.resource, e.objectRef?.name, e.responseStatus?.code]);
    expect(requests).toEqual([
      ['get', 'pods', 'incluster', 200],
      ['list', 'pods', undefined, 403],
      ['get', 'pods', 'incluster', 200],
    ]);

    await cluster.kubectlOk(['delete', 'pod', 'incluster', '--wait=true']);
    const revoked = await waitFor('the token no longer authenticates', async () => {
      const r = await review(files.token);
      return r.status.authenticated === true ? undefined : r;
    });
    expect(revoked.status.error).toBe('[invalid bearer token, service account token has been invalidated]');
  });

  it('mounts no token when the pod opts out with automountServiceAccountToken: false', async () => {
    const script = `const fs = require('fs'); console.log(fs.existsSync('${SA_DIR}/token') + ' ' + (process.env.KUBERNETES_SERVICE_HOST !== undefined));`;
    await apply(cluster, nodePod('no-token', script, { spec: { restartPolicy: 'Never', automountServiceAccountToken: false } }));
    const done = await podWhere(cluster, 'no-token', 'finished', finished);
    expect((done as Pod).spec.volumes ?? []).toEqual([]);
    expect({ phase: done.status!.phase, logs: await cluster.kubectlOk(['logs', 'no-token']) }).toEqual({ phase: 'Succeeded', logs: 'false true\n' });
  });

  it('keeps the same token across volume syncs, as the kubelet caches tokens until 80 % of their lifetime', async () => {
    await apply(cluster, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'marker' }, data: { v: 'one' } });
    const script = `
      const fs = require('fs'), crypto = require('crypto');
      let last = '';
      setInterval(() => {
        const now = fs.readFileSync('/marker/v', 'utf8') + ' ' + crypto.createHash('sha256').update(fs.readFileSync('${SA_DIR}/token')).digest('hex');
        if (now !== last) console.log((last = now));
      }, 100);`;
    await apply(cluster, nodePod('syncing', script, { spec: { volumes: [{ name: 'marker', configMap: { name: 'marker' } }] }, container: { volumeMounts: [{ name: 'marker', mountPath: '/marker' }] } }));
    const first = await waitFor('first line', async () => (await cluster.kubectlOk(['logs', 'syncing'])).split('\n')[0] || undefined);
    await apply(cluster, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'marker' }, data: { v: 'two' } });
    // a volume sync that brought the new ConfigMap content has also rewritten the projected token volume
    const logs = await waitFor('updated marker', async () => {
      const text = await cluster.kubectlOk(['logs', 'syncing']);
      return text.includes('\ntwo ') ? text : undefined;
    });
    const hash = first.split(' ')[1];
    expect(logs).toBe(`one ${hash}\ntwo ${hash}\n`);
  });
});
