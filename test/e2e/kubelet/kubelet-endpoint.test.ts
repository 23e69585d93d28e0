import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { ensureCertificate, readKeyPair } from '../../../sandbox/controlplane/pki.ts';
import { waitFor } from '../../support/processes.ts';
import { useCluster, type E2eCluster } from '../support/cluster.ts';
import { apply, nodePod, podWhere } from './pods.ts';

const NS = 'e2e-kubelet-endpoint';

/** One request to the sandbox kubelet's HTTPS endpoint with the given client certificate (or none). */
function callKubelet(cluster: E2eCluster, method: string, path: string, client?: { cert: string; key: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${cluster.kubeletUrl}${path}`, { method, ca: readFileSync(cluster.caCertPath, 'utf8'), ...client }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe("process kubelet: its HTTPS endpoint and logs through the API server's pods/log", () => {
  let cluster: E2eCluster;
  let admin: { cert: string; key: string };
  beforeAll(async () => {
    cluster = await useCluster(NS);
    const state = JSON.parse(readFileSync(`${cluster.dir}/state.json`, 'utf8')) as { admin: { certPath: string; keyPath: string } };
    admin = readKeyPair(state.admin);
    await apply(cluster, nodePod('quiet', `console.log('hello'); setInterval(() => {}, 1000);`));
    await podWhere(cluster, 'quiet', 'Running', (p) => p.status?.phase === 'Running');
  });
  afterAll(() => cluster?.release());

  it('refuses a client without a certificate in the TLS handshake', async () => {
    const refused = await callKubelet(cluster, 'GET', '/healthz').then(
      (res) => `answered ${res.status}`,
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(refused).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  it('answers 403 to a CA-signed certificate that is neither the API server\'s kubelet client nor in system:masters, another node\'s included', async () => {
    const pki = { caCertPath: `${cluster.pkiDir}/ca.crt`, caKeyPath: `${cluster.pkiDir}/ca.key` };
    const stranger = readKeyPair(await ensureCertificate(pki, cluster.pkiDir, 'e2e-kubelet-stranger', { user: 'jane', groups: ['developers'] }));
    const otherNode = readKeyPair(await ensureCertificate(pki, cluster.pkiDir, 'e2e-kubelet-other-node', { user: 'system:node:other-node', groups: ['system:nodes'] }));
    for (const client of [stranger, otherNode]) {
      expect(await callKubelet(cluster, 'GET', '/healthz', client)).toEqual({ status: 403, body: 'Forbidden' });
      expect(await callKubelet(cluster, 'GET', `/containerLogs/${NS}/quiet/main`, client)).toEqual({ status: 403, body: 'Forbidden' });
      expect(await callKubelet(cluster, 'POST', `/sandbox/kill-pod/${NS}/quiet`, client)).toEqual({ status: 403, body: 'Forbidden' });
    }
    expect((await cluster.pod('quiet'))!.status!.containerStatuses![0]!.restartCount).toBe(0);
    // the admin (system:masters) may call it directly
    expect(await callKubelet(cluster, 'GET', '/healthz', admin)).toEqual({ status: 200, body: 'ok' });
    expect(await callKubelet(cluster, 'GET', `/containerLogs/${NS}/quiet/main`, admin)).toEqual({ status: 200, body: 'hello\n' });
  });

  it('lets the API server in with its kubelet client certificate for pods/log; nodes/proxy refuses the loopback node address', async () => {
    expect(await cluster.kubectlOk(['get', '--raw', `/api/v1/namespaces/${NS}/pods/quiet/log`])).toBe('hello\n');
    // the API server never proxies to a loopback address, and 127.0.0.1 is the only address this node has
    const proxied = await cluster.kubectl(['get', '--raw', '/api/v1/nodes/sandbox-node/proxy/healthz']);
    expect({ code: proxied.code, stderr: proxied.stderr.trim() }).toEqual({ code: 1, stderr: 'Error from server (BadRequest): address not allowed' });
  });

  it('serves kubectl logs, --previous, --tail and --limit-bytes through the real API server', async () => {
    const script = `
      const fs = require('fs');
      const run = fs.existsSync('/data/ran') ? 2 : 1;
      fs.writeFileSync('/data/ran', '');
      for (const line of ['a', 'b', 'c']) console.log('run ' + run + ' ' + line);
      if (run === 1) process.exit(1);
      setInterval(() => {}, 1000);`;
    await apply(
      cluster,
      nodePod('twice', script, { spec: { restartPolicy: 'OnFailure', volumes: [{ name: 'data', emptyDir: {} }] }, container: { volumeMounts: [{ name: 'data', mountPath: '/data' }] } }),
    );
    await podWhere(cluster, 'twice', 'running again', (p) => {
      const s = p.status?.containerStatuses?.[0];
      return s?.restartCount === 1 && s.state !== undefined && 'running' in s.state;
    });
    const current = await waitFor('second run logged', async () => {
      const text = await cluster.kubectlOk(['logs', 'twice']);
      return text.split('\n').length === 4 ? text : undefined;
    });
    expect(current).toBe('run 2 a\nrun 2 b\nrun 2 c\n');
    expect(await cluster.kubectlOk(['logs', 'twice', '--previous'])).toBe('run 1 a\nrun 1 b\nrun 1 c\n');
    expect(await cluster.kubectlOk(['logs', 'twice', '--tail=2'])).toBe('run 2 b\nrun 2 c\n');
    expect(await cluster.kubectlOk(['logs', 'twice', '--previous', '--tail=1'])).toBe('run 1 c\n');
    expect(await cluster.kubectlOk(['logs', 'twice', '--limit-bytes=9'])).toBe('run 2 a\nr');
    // the API server itself checks the container name against the pod
    const wrong = await cluster.kubectl(['logs', 'twice', '-c', 'nope']);
    expect({ code: wrong.code, stderr: wrong.stderr.trim() }).toEqual({ code: 1, stderr: 'error: container nope is not valid for pod twice' });
  });
});
