import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyInstance } from 'fastify';
import { logStream } from './log-stream.ts';
import type { LogFile } from './pod-worker.ts';

/** What the kubelet's HTTP endpoint serves from. */
export interface KubeletEndpointSource {
  logFile(namespace: string, pod: string, container: string, previous: boolean): LogFile | { error: string; notFound?: boolean };
  killPod(namespace: string, pod: string): number | undefined;
}

function parseCount(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

/** The kubelet's serving certificate and the CA its clients' certificates must chain to. */
export interface KubeletServingTls {
  cert: string;
  key: string;
  ca: string;
}

/**
 * Who may call the kubelet: the API server (its kubelet client certificate, for `pods/log`) and
 * cluster admins (group `system:masters`, e.g. `sandbox kill-pod`). The real kubelet asks the API
 * server with a SubjectAccessReview; these two identities are all that this node's callers are.
 */
export function mayCallKubelet(subject: { CN?: string | string[]; O?: string | string[] } | undefined): boolean {
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return list(subject?.CN).includes('kube-apiserver-kubelet-client') || list(subject?.O).includes('system:masters');
}

/**
 * The kubelet's HTTPS endpoint (the port published as `daemonEndpoints.kubeletEndpoint`): the
 * `containerLogs` API the API server's `pods/log` proxies to, `/healthz`, and the sandbox's fault
 * injection `POST /sandbox/kill-pod/<ns>/<pod>`. Every caller presents a client certificate signed
 * by the cluster CA (TLS refuses others) and must be one {@link mayCallKubelet} admits (403 otherwise).
 */
export async function startKubeletServer(host: string, source: KubeletEndpointSource, tls: KubeletServingTls): Promise<{ server: FastifyInstance; port: number }> {
  const server = Fastify({ logger: false, forceCloseConnections: true, https: { ...tls, requestCert: true, rejectUnauthorized: true } });
  server.addHook('onRequest', async (request, reply) => {
    if (!mayCallKubelet((request.raw.socket as TLSSocket).getPeerCertificate().subject)) await reply.code(403).type('text/plain').send('Forbidden');
  });
  server.get('/healthz', async () => 'ok');
  server.get<{ Params: { ns: string; pod: string; container: string }; Querystring: Record<string, string | undefined> }>(
    '/containerLogs/:ns/:pod/:container',
    async (request, reply) => {
      const { ns, pod, container } = request.params;
      const q = request.query;
      let tailLines: number | undefined;
      let limitBytes: number | undefined;
      try {
        tailLines = parseCount(q.tailLines, 'tailLines');
        limitBytes = parseCount(q.limitBytes, 'limitBytes');
      } catch (err) {
        return reply.code(400).type('text/plain').send((err as Error).message);
      }
      const file = source.logFile(ns, pod, container, q.previous === 'true' || q.previous === '1');
      if ('error' in file) return reply.code(file.notFound ? 404 : 400).type('text/plain').send(file.error);
      const stream = await logStream(file, { follow: q.follow === 'true' || q.follow === '1', tailLines, limitBytes });
      request.raw.once('close', () => stream.destroy());
      return reply.type('text/plain').send(stream);
    },
  );
  server.post<{ Params: { ns: string; pod: string } }>('/sandbox/kill-pod/:ns/:pod', async (request, reply) => {
    const killed = source.killPod(request.params.ns, request.params.pod);
    if (killed === undefined) return reply.code(404).send({ error: `pod ${request.params.ns}/${request.params.pod} is not running on this node` });
    return { killed };
  });
  await server.listen({ host, port: 0 });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('kubelet server has no TCP address');
  return { server, port: address.port };
}
