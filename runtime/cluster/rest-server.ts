import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { JobCheckpointing } from './checkpoint-hooks.ts';
import type { JobMaster } from './job-master.ts';
import type { CheckpointStorageConfig } from '../config/index.ts';
import { outsideConfiguredStorage } from '../fs/storage-uri.ts';
import type { BearerToken } from '../security/bearer-token.ts';
import type { CheckpointingStatistics, ErrorResponse, JobsOverview, SavepointDisposalRequest, SavepointTriggerRequest, StopWithSavepointRequest } from '../rest/rest-types.ts';

const NO_CHECKPOINTS: CheckpointingStatistics = {
  counts: { completed: 0, failed: 0, inProgress: 0, restored: 0 },
  latest: { completed: null, savepoint: null, failed: null, restored: null },
  history: [],
  skippedOnRestore: [],
  retention: { failures: 0, lastFailure: null },
};

const error = (...errors: string[]): ErrorResponse => ({ errors });

/** Paths anyone may ask: liveness, which tells nothing about the job. */
const OPEN_PATHS = new Set(['/healthz', '/readyz']);

export interface RestServerOptions {
  /** The bearer token every request but OPEN_PATHS must carry; null: authentication disabled. */
  readonly token: BearerToken | null;
  /** The job's checkpoint storage: savepoint target directories must lie inside it. */
  readonly storage: CheckpointStorageConfig;
}

/**
 * The JobManager's REST API, exactly the paths and types of rest-types.ts (savepoint disposal
 * accepts only this job's own savepoint directories), plus
 * `GET /jobs/:jobId/operators` (records per operator, what `sluice run` prints). Every path but
 * `/healthz` and `/readyz` needs `Authorization: Bearer <restToken(run key)>` (`/metrics`
 * included: its labels name the job's operators and TaskManagers); otherwise 401 with no detail.
 */
export function createRestServer(master: JobMaster, metrics: Registry, checkpointing: JobCheckpointing | undefined, options: RestServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  const { token } = options;
  if (token !== null) {
    app.addHook('onRequest', async (req, reply) => {
      if (OPEN_PATHS.has(req.url) || token.matches(req.headers.authorization)) return;
      return reply.code(401).header('www-authenticate', 'Bearer').send(error('unauthorized'));
    });
  }
  const known = (jobId: string) => jobId === master.jobId;
  const unknown = (jobId: string) => error(`job "${jobId}" not found; this JobManager runs job "${master.jobId}"`);

  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/jobs', (): JobsOverview => ({ jobs: [{ id: master.jobId, status: master.state }] }));
  app.get<{ Params: { jobId: string } }>('/jobs/:jobId', async (req, reply) => (known(req.params.jobId) ? master.details() : reply.code(404).send(unknown(req.params.jobId))));
  app.get<{ Params: { jobId: string } }>('/jobs/:jobId/config', async (req, reply) => (known(req.params.jobId) ? master.configInfo() : reply.code(404).send(unknown(req.params.jobId))));
  app.get<{ Params: { jobId: string } }>('/jobs/:jobId/exceptions', async (req, reply) =>
    known(req.params.jobId) ? master.exceptionHistory() : reply.code(404).send(unknown(req.params.jobId)),
  );
  app.get<{ Params: { jobId: string } }>('/jobs/:jobId/operators', async (req, reply) =>
    known(req.params.jobId) ? master.operatorResults() : reply.code(404).send(unknown(req.params.jobId)),
  );
  app.get<{ Params: { jobId: string } }>('/jobs/:jobId/checkpoints', async (req, reply) =>
    known(req.params.jobId) ? (checkpointing?.statistics() ?? NO_CHECKPOINTS) : reply.code(404).send(unknown(req.params.jobId)),
  );
  const savepoint = (stop: boolean) => async (req: { params: { jobId: string }; body: unknown }, reply: import('fastify').FastifyReply) => {
    if (!known(req.params.jobId)) return reply.code(404).send(unknown(req.params.jobId));
    const body = (req.body ?? {}) as SavepointTriggerRequest & StopWithSavepointRequest;
    if (body.targetDirectory !== undefined) {
      if (typeof body.targetDirectory !== 'string') return reply.code(400).send(error('targetDirectory must be a string'));
      let outside: string | null;
      try {
        outside = outsideConfiguredStorage(body.targetDirectory, options.storage);
      } catch (e) {
        return reply.code(400).send(error((e as Error).message));
      }
      if (outside !== null) return reply.code(400).send(error(`savepoint target refused: ${outside}; savepoints go only under the job's checkpoint storage`));
    }
    if (checkpointing === undefined) return reply.code(409).send(error(`job "${master.jobId}" has no checkpoint storage configured for savepoints`));
    if (master.state !== 'RUNNING') return reply.code(409).send(error(`job "${master.jobId}" is ${master.state}; savepoints need a RUNNING job`));
    try {
      return reply.code(202).send({ triggerId: await checkpointing.triggerSavepoint(body.targetDirectory, stop) });
    } catch (e) {
      return reply.code(409).send(error((e as Error).message));
    }
  };
  app.post<{ Params: { jobId: string } }>('/jobs/:jobId/savepoints', savepoint(false));
  app.post<{ Params: { jobId: string } }>('/jobs/:jobId/stop', savepoint(true));
  app.get<{ Params: { jobId: string; triggerId: string } }>('/jobs/:jobId/savepoints/:triggerId', async (req, reply) => {
    if (!known(req.params.jobId)) return reply.code(404).send(unknown(req.params.jobId));
    const status = checkpointing?.savepointStatus(req.params.triggerId);
    return status ?? reply.code(404).send(error(`no savepoint with trigger id "${req.params.triggerId}"`));
  });
  app.post('/savepoint-disposal', async (req, reply) => {
    const body = (req.body ?? {}) as Partial<SavepointDisposalRequest>;
    if (typeof body.savepointPath !== 'string' || body.savepointPath === '') return reply.code(400).send(error('savepointPath must be a non-empty string'));
    if (checkpointing === undefined) return reply.code(409).send(error(`job "${master.jobId}" has no checkpoint storage configured`));
    const started = checkpointing.disposeSavepoint(body.savepointPath);
    if ('refused' in started) return reply.code(started.refused === 'outside' ? 400 : 409).send(error(started.message));
    return reply.code(202).send(started);
  });
  app.get<{ Params: { triggerId: string } }>('/savepoint-disposal/:triggerId', async (req, reply) => {
    const status = checkpointing?.savepointDisposalStatus(req.params.triggerId);
    return status ?? reply.code(404).send(error(`no savepoint disposal with trigger id "${req.params.triggerId}"`));
  });
  app.patch<{ Params: { jobId: string }; Querystring: { mode?: string } }>('/jobs/:jobId', async (req, reply) => {
    if (!known(req.params.jobId)) return reply.code(404).send(unknown(req.params.jobId));
    if (req.query.mode !== 'cancel') return reply.code(400).send(error(`unsupported mode ${JSON.stringify(req.query.mode ?? null)}; expected "cancel"`));
    master.cancel();
    return reply.code(202).send({});
  });
  app.get('/metrics', async (_req, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));
  app.setNotFoundHandler((req, reply) => reply.code(404).send(error(`no route ${req.method} ${req.url}`)));
  app.setErrorHandler((e: Error & { statusCode?: number }, _req, reply) => reply.code(e.statusCode ?? 500).send(error(e.message)));
  return app;
}
