import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { StreamJobSpecSchema } from './stream-job-spec.ts';
import { StreamJobStatusSchema } from './stream-job-status.ts';

export const STREAM_JOB_GROUP = 'sluice.dev';
export const STREAM_JOB_VERSION = 'v1alpha1';
export const STREAM_JOB_API_VERSION = `${STREAM_JOB_GROUP}/${STREAM_JOB_VERSION}`;
export const STREAM_JOB_KIND = 'StreamJob';
export const STREAM_JOB_PLURAL = 'streamjobs';
export const STREAM_JOB_SINGULAR = 'streamjob';
export const STREAM_JOB_SHORT_NAMES = ['sj'];

/**
 * A StreamJob's name becomes part of its pods' and Service's names, which must be DNS labels of at most
 * 63 characters: 45 leaves room for `-taskmanager-<index>` up to 5 digits.
 */
export const STREAM_JOB_NAME_MAX_LENGTH = 45;
export const DNS_LABEL_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';

const MetadataSchema = Type.Unsafe<V1ObjectMeta>({
  type: 'object',
  properties: {
    name: {
      type: 'string',
      maxLength: STREAM_JOB_NAME_MAX_LENGTH,
      pattern: DNS_LABEL_PATTERN,
      description: `At most ${STREAM_JOB_NAME_MAX_LENGTH} characters, a DNS label starting with a letter.`,
    },
  },
});

export const StreamJobSchema = Type.Object(
  {
    // Plain strings in the schema (Kubernetes checks them itself and has no `const`), literals in the type.
    apiVersion: Type.Unsafe<typeof STREAM_JOB_API_VERSION>({ type: 'string' }),
    kind: Type.Unsafe<typeof STREAM_JOB_KIND>({ type: 'string' }),
    metadata: MetadataSchema,
    spec: StreamJobSpecSchema,
    status: Type.Optional(StreamJobStatusSchema),
  },
  { description: 'A Flink-style stream job run by the Sluice operator: a JobManager pod, TaskManager pods, checkpoints in S3.' },
);

/**
 * The StreamJob custom resource: names, the whole object's schema and its TypeScript type.
 *
 * A StreamJob as read from the API server: defaults applied.
 */
export type StreamJob = Static<typeof StreamJobSchema>;
