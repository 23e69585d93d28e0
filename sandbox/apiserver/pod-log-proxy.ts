import { request } from 'node:http';
import type { ServerResponse } from 'node:http';
import { ApiError, badRequest } from './api-error.ts';
import type { KObject } from './resource-type.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- pod and node JSON

const FORWARDED = ['follow', 'tailLines', 'previous', 'timestamps', 'sinceSeconds', 'limitBytes'];

/**
 * `GET pods/<name>/log`: proxies to the kubelet of the pod's node, like the real apiserver:
 * `http://<node InternalIP>:<daemonEndpoints.kubeletEndpoint.Port>/containerLogs/<ns>/<pod>/<container>`.
 */
export function proxyPodLog(pod: KObject, node: KObject | undefined, query: Record<string, string>, res: ServerResponse): void {
  const p = pod as J;
  const containers: string[] = (p.spec?.containers ?? []).map((c: J) => c.name);
  const initContainers: string[] = (p.spec?.initContainers ?? []).map((c: J) => c.name);
  let container = query.container;
  if (!container) {
    if (containers.length !== 1)
      throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`);
    container = containers[0]!;
  }
  if (!containers.includes(container) && !initContainers.includes(container))
    throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  if (!p.spec?.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const n = node as J | undefined;
  const address = (n?.status?.addresses ?? []).find((a: J) => a.type === 'InternalIP')?.address;
  const port = n?.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!address || !port) throw new ApiError(500, 'InternalError', `node ${p.spec.nodeName} has no kubelet address and port to fetch logs from`);
  const params = new URLSearchParams();
  for (const k of FORWARDED) if (query[k] !== undefined) params.set(k, query[k]!);
  const path = `/containerLogs/${pod.metadata.namespace}/${pod.metadata.name}/${encodeURIComponent(container)}${params.size ? `?${params}` : ''}`;
  const upstream = request({ host: address, port, path, method: 'GET' }, (up) => {
    res.writeHead(up.statusCode ?? 502, { 'Content-Type': up.headers['content-type'] ?? 'text/plain' });
    up.pipe(res);
  });
  upstream.on('error', (err) => {
    if (!res.headersSent) {
      const status = new ApiError(500, 'InternalError', `Get "http://${address}:${port}${path}": ${err.message}`).toStatus();
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(status));
    } else res.destroy(err);
  });
  res.on('close', () => upstream.destroy());
  upstream.end();
}
