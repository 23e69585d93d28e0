import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { eventually, rawRequest, startApiServerFixture, type ApiServerFixture } from './api-server-fixture.ts';

let f: ApiServerFixture;
let core: CoreV1Api;
let kubeletEndpoint: Server;
const requests: string[] = [];

beforeAll(async () => {
  f = await startApiServerFixture();
  core = f.kc.makeApiClient(CoreV1Api);
  // The kubelet's log endpoint, as a plain HTTP server answering like the kubelet does.
  kubeletEndpoint = createServer((req, res) => {
    requests.push(req.url!);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`log of ${req.url}\n`);
  });
  await new Promise<void>((resolve) => kubeletEndpoint.listen(0, '127.0.0.1', resolve));
  const port = (kubeletEndpoint.address() as AddressInfo).port;
  await core.createNode({
    body: {
      metadata: { name: 'logs-node' },
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } }, conditions: [{ type: 'Ready', status: 'True' }] },
    },
  });
});
afterAll(async () => {
  await f?.stop();
  await new Promise((resolve) => kubeletEndpoint?.close(resolve));
});

describe('pods/log', () => {
  it('proxies kubectl logs to the kubelet of the pod node, forwarding follow, tailLines and previous', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'talker' }, spec: { containers: [{ name: 'main', image: 'x' }, { name: 'side', image: 'y' }] } } });
    await eventually('pod scheduled', async () => ((await core.readNamespacedPod({ name: 'talker', namespace: 'default' })).spec!.nodeName ? true : undefined));
    expect(await f.kubectlOk(['logs', 'talker', '-c', 'side', '--tail=5', '--previous'])).toBe('log of /containerLogs/default/talker/side?tailLines=5&previous=true\n');
    expect(await f.kubectlOk(['logs', 'talker', '-c', 'main', '--follow'])).toBe('log of /containerLogs/default/talker/main?follow=true\n');
    const noContainer = await rawRequest(f.kc, 'GET', '/api/v1/namespaces/default/pods/talker/log');
    expect(noContainer.status).toBe(400);
    expect(noContainer.body.message).toBe('a container name must be specified for pod talker, choose one of: [main side]');
    expect(requests).toEqual(['/containerLogs/default/talker/side?tailLines=5&previous=true', '/containerLogs/default/talker/main?follow=true']);
  });

  it('answers for a pod that is not scheduled with a BadRequest naming the reason', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'lonely' }, spec: { schedulerName: 'none', containers: [{ name: 'main', image: 'x' }] } } });
    const r = await f.kubectl(['logs', 'lonely']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (BadRequest): pod lonely does not have a host assigned\n');
  });
});
