import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Defaulted, DefaultedObject, Duration } from './kubernetes-schema-types.ts';

/** Flink's `kubernetes.operator.cluster.health-check.restarts.*` defaults. */
export const DEFAULT_RESTART_THRESHOLD = 64;
export const DEFAULT_RESTART_WINDOW = '2m';
export const DEFAULT_REDEPLOY_BACKOFF = '1m';
export const DEFAULT_MAX_REDEPLOY_BACKOFF = '30m';
/** Restart observations kept in `status.health.restarts`; older ones are merged. */
export const RESTART_OBSERVATIONS_LIMIT = 32;

export const HealthCheckSpecSchema = Type.Object(
  {
    restarts: DefaultedObject(
      Type.Object(
        {
          enabled: Defaulted(Type.Boolean({ description: 'Redeploy a job that restarts more than threshold times within window; off when absent.' }), false),
          threshold: Defaulted(
            Type.Integer({ minimum: 0, description: `Restarts within window that are still healthy; ${DEFAULT_RESTART_THRESHOLD} when absent.` }),
            DEFAULT_RESTART_THRESHOLD,
          ),
          window: Defaulted(Duration({ description: `How far back restarts are counted; ${DEFAULT_RESTART_WINDOW} when absent.` }), DEFAULT_RESTART_WINDOW),
        },
        { description: 'Too many restarts (Flink: kubernetes.operator.cluster.health-check.restarts.threshold and .window).' },
      ),
    ),
    checkpointProgress: DefaultedObject(
      Type.Object(
        {
          enabled: Defaulted(Type.Boolean({ description: 'Redeploy a running job that completes no checkpoint within window; on when absent.' }), true),
          window: Type.Optional(
            Duration({
              description:
                'How long a running job may go without completing a checkpoint; at least, and when absent, twice the longer of checkpointing.interval and checkpointing.timeout.',
            }),
          ),
        },
        { description: 'Checkpoints that stop completing (Flink: kubernetes.operator.cluster.health-check.checkpoint-progress.enabled and .window).' },
      ),
    ),
    redeployBackoff: DefaultedObject(
      Type.Object(
        {
          initial: Defaulted(
            Duration({ description: `After a redeploy for health that did not help, how long before the next one; doubled after each; ${DEFAULT_REDEPLOY_BACKOFF} when absent.` }),
            DEFAULT_REDEPLOY_BACKOFF,
          ),
          max: Defaulted(Duration({ description: `The longest wait between redeploys for health; ${DEFAULT_MAX_REDEPLOY_BACKOFF} when absent.` }), DEFAULT_MAX_REDEPLOY_BACKOFF),
        },
        { description: 'How redeploys for health back off when they do not help.' },
      ),
    ),
  },
  {
    description:
      'When the operator redeploys an unhealthy running job (a new run, last-state: from its newest verified checkpoint), says so in a HealthRedeploy event and the Degraded condition, and backs off if that does not help.',
  },
);

const Timestamp = (description: string) => Type.String({ format: 'date-time', description });

export const HealthStatusSchema = Type.Object(
  {
    run: Type.Integer({ format: 'int64', minimum: 1, description: 'The run that restarts and runningSince are of.' }),
    restarts: Type.Optional(
      Type.Array(
        Type.Object({ time: Timestamp('When the restarts were seen.'), count: Type.Integer({ minimum: 1 }) }),
        { maxItems: RESTART_OBSERVATIONS_LIMIT, description: 'Restarts seen within healthCheck.restarts.window, oldest first.' },
      ),
    ),
    runningSince: Type.Optional(Timestamp('When the job was last seen to become RUNNING; the checkpoint progress window counts from here at the earliest.')),
    redeploys: Type.Optional(Type.Integer({ minimum: 1, description: 'Redeploys for health in a row that were not yet followed by a healthy window.' })),
    lastRedeploy: Type.Optional(
      Type.Object({
        time: Timestamp('When the operator redeployed the job for its health.'),
        specHash: Type.String({ description: 'The spec redeployed: a new spec starts the backoff afresh.' }),
        reason: Type.String({ description: 'TooManyRestarts or CheckpointStalled.' }),
        message: Type.String(),
      }),
    ),
  },
  { description: "The operator's health check bookkeeping (spec.job.healthCheck)." },
);

/**
 * `spec.job.healthCheck`: when the operator redeploys a running job for its health, modelled on the
 * Flink Kubernetes Operator's cluster health check. A job is unhealthy when it restarted more than
 * `restarts.threshold` times within `restarts.window` (off by default), or when, RUNNING, it completed
 * no checkpoint within `checkpointProgress.window` (on by default).
 */
export type HealthCheckSpec = Static<typeof HealthCheckSpecSchema>;
export type HealthStatus = Static<typeof HealthStatusSchema>;
