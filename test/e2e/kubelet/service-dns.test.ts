import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { useCluster, type E2eCluster } from '../support/cluster.ts';
import { apply, condition, finished, nodePod, podWhere } from './pods.ts';

const NS = 'e2e-kubelet-service-dns';

const server = `
  const ip = process.env.POD_IP, name = process.env.POD_NAME;
  require('net').createServer((s) => s.once('data', (d) => s.end(name + ' got ' + d))).listen(7000, ip);
  require('http').createServer((q, r) => r.end('http ' + name + ' ' + q.url)).listen(8080, ip);`;
const podEnv = [
  { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
];

describe('process kubelet: pod-to-pod TCP by Service name', () => {
  let cluster: E2eCluster;
  beforeAll(async () => {
    cluster = await useCluster(NS);
  });
  afterAll(() => cluster?.release());

  /** Runs a client pod to completion; its phase and logs. */
  const runClient = async (name: string, script: string) => {
    await apply(cluster, nodePod(name, script, { spec: { restartPolicy: 'Never' } }));
    const done = await podWhere(cluster, name, 'finished', finished);
    return { phase: done.status!.phase, logs: await cluster.kubectlOk(['logs', name]) };
  };

  it('reaches a server pod through headless and normal Services and the pod hostname record', async () => {
    const manifests = [
      nodePod('echo-0', server, {
        labels: { app: 'echo' },
        spec: { hostname: 'echo-0', subdomain: 'echo-hl' },
        container: { env: podEnv, readinessProbe: { tcpSocket: { port: 7000 }, periodSeconds: 1 } },
      }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo-hl' }, spec: { clusterIP: 'None', selector: { app: 'echo' }, ports: [{ name: 'tcp', port: 7000 }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { selector: { app: 'echo' }, ports: [{ name: 'tcp', port: 7000 }, { name: 'http', port: 8080 }] } },
    ];
    for (const manifest of manifests) await apply(cluster, manifest);
    await podWhere(cluster, 'echo-0', 'Ready', (p) => condition(p, 'Ready') === 'True');

    const client = `
      const net = require('net'), http = require('http');
      const send = (host) => new Promise((resolve, reject) => {
        const s = net.connect(7000, host, () => s.write('hi'));
        let out = ''; s.on('data', (d) => (out += d)); s.on('end', () => resolve(out)); s.on('error', reject);
      });
      (async () => {
        console.log(await send('echo-hl'));
        console.log(await send('echo.${NS}.svc.cluster.local'));
        console.log(await send('echo-0.echo-hl.${NS}.svc.cluster.local'));
        console.log(await (await fetch('http://echo:8080/f')).text());
        console.log(await new Promise((resolve, reject) => http.get('http://echo.${NS}.svc:8080/h', (m) => { let b = ''; m.on('data', (d) => (b += d)); m.on('end', () => resolve(b)); }).on('error', reject)));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    expect(await runClient('client', client)).toEqual({
      phase: 'Succeeded',
      logs: ['echo-0 got hi', 'echo-0 got hi', 'echo-0 got hi', 'http echo-0 /f', 'http echo-0 /h', ''].join('\n'),
    });
  });

  it("resolves a Service by its selector to the ready pods' addresses only; a Service whose pods are all unready refuses connections", async () => {
    const unready = { readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 } };
    await apply(cluster, nodePod('web-ready', server, { labels: { app: 'web' }, container: { env: podEnv, readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } } }));
    await apply(cluster, nodePod('web-unready', server, { labels: { app: 'web' }, container: { env: podEnv, ...unready } }));
    await apply(cluster, nodePod('lonely', server, { labels: { app: 'lonely' }, container: { env: podEnv, ...unready } }));
    await apply(cluster, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 8080 }] } });
    await apply(cluster, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'lonely' }, spec: { selector: { app: 'lonely' }, ports: [{ port: 8080 }] } });
    const ready = await podWhere(cluster, 'web-ready', 'Ready', (p) => condition(p, 'Ready') === 'True');
    const notReady = await podWhere(cluster, 'web-unready', 'Running, not Ready', (p) => p.status?.phase === 'Running' && condition(p, 'Ready') === 'False');
    const lonely = await podWhere(cluster, 'lonely', 'Running, not Ready', (p) => p.status?.phase === 'Running' && condition(p, 'Ready') === 'False');
    // the real API server keeps loopback addresses out of EndpointSlices: the kubelet computes endpoints from selectors
    expect(JSON.parse(await cluster.kubectlOk(['get', 'endpointslices', '-o', 'json'])).items).toEqual([]);

    const client = `
      const dns = require('dns');
      (async () => {
        const all = await dns.promises.lookup('web', { all: true });
        console.log(all.map((a) => a.address).join(','));
        for (let i = 0; i < 5; i++) console.log(await (await fetch('http://web:8080/' + i)).text());
        console.log(await fetch('http://lonely:8080/').then((r) => 'answered ' + r.status, (e) => e.cause.code));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const lookup = await runClient('lookup', client);
    expect(lookup).toEqual({
      phase: 'Succeeded',
      logs: [ready.status!.podIP, ...[0, 1, 2, 3, 4].map((i) => `http web-ready /${i}`), 'ECONNREFUSED', ''].join('\n'),
    });
    expect([notReady.status!.podIP, lonely.status!.podIP]).not.toContain(ready.status!.podIP);
  });
});
