import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HttpServerOptions {
  host: string;
  port: number;
  registry: Registry;
  ready: () => boolean;
}

/**
 * The operator's one HTTP port: /metrics (Prometheus), /healthz (the process serves), /readyz (the
 * leader has synced its caches; a standby is ready as it stands by).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => 'ok');
  app.get('/readyz', async (_request, reply) => (options.ready() ? 'ok' : reply.code(503).send('not ready')));
  app.get('/metrics', async (_request, reply) => reply.type(options.registry.contentType).send(await options.registry.metrics()));
  await app.listen({ host: options.host, port: options.port });
  return app;
}
