import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { condition, nodePod, startTestCluster, type TestCluster } from './cluster-harness.ts';
import { waitFor } from '../../support/processes.ts';

describe('process kubelet: pod-to-pod TCP by Service name', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('reaches a server pod through headless and normal Services and the pod hostname record', async () => {
    const server = `
      const ip = process.env.POD_IP, name = process.env.POD_NAME;
      require('net').createServer((s) => s.once('data', (d) => s.end(name + ' got ' + d))).listen(7000, ip);
      require('http').createServer((q, r) => r.end('http ' + name + ' ' + q.url)).listen(8080, ip);`;
    const podEnv = [
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ];
    const manifests = [
      nodePod('echo-0', server, {
        labels: { app: 'echo' },
        spec: { hostname: 'echo-0', subdomain: 'echo-hl' },
        container: { env: podEnv, readinessProbe: { tcpSocket: { port: 7000 }, periodSeconds: 1 } },
      }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo-hl' }, spec: { clusterIP: 'None', selector: { app: 'echo' }, ports: [{ name: 'tcp', port: 7000 }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { selector: { app: 'echo' }, ports: [{ name: 'tcp', port: 7000 }, { name: 'http', port: 8080 }] } },
    ];
    for (const manifest of manifests) await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(manifest));
    await waitFor('echo-0 Ready', async () => (condition(await cluster.pod('default', 'echo-0'), 'Ready') === 'True' ? true : undefined));

    const client = `
      const net = require('net'), http = require('http');
      const send = (host) => new Promise((resolve, reject) => {
        const s = net.connect(7000, host, () => s.write('hi'));
        let out = ''; s.on('data', (d) => (out += d)); s.on('end', () => resolve(out)); s.on('error', reject);
      });
      const retry = async (fn) => { for (let i = 0; ; i++) { try { return await fn(); } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 100)); } } };
      (async () => {
        console.log(await retry(() => send('echo-hl')));
        console.log(await retry(() => send('echo.default.svc.cluster.local')));
        console.log(await retry(() => send('echo-0.echo-hl.default.svc.cluster.local')));
        console.log(await retry(async () => (await fetch('http://echo:8080/f')).text()));
        console.log(await retry(() => new Promise((resolve, reject) => http.get('http://echo.default.svc:8080/h', (m) => { let b = ''; m.on('data', (d) => (b += d)); m.on('end', () => resolve(b)); }).on('error', reject))));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(nodePod('client', client, { spec: { restartPolicy: 'Never' } })));
    const done = await waitFor('client finished', async () => {
      const phase = (await cluster.pod('default', 'client'))?.status?.phase;
      return phase === 'Succeeded' || phase === 'Failed' ? phase : undefined;
    }, 30_000);
    const logs = await cluster.kubectlOk(['logs', 'client']);
    expect({ done, logs }).toEqual({
      done: 'Succeeded',
      logs: ['echo-0 got hi', 'echo-0 got hi', 'echo-0 got hi', 'http echo-0 /f', 'http echo-0 /h', ''].join('\n'),
    });
  });
});
