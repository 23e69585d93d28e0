import type { ValidateFunction } from 'ajv';
import { kubernetesAjv } from './kubernetes-ajv.ts';
import { toOpenApiSchema } from './openapi-schema.ts';
import { StreamJobSpecSchema } from './stream-job-spec.ts';
import type { StreamJob } from './stream-job.ts';

let defaulting: ValidateFunction | undefined;

/**
 * A copy of `job` whose spec has the defaults of this operator's schema, as the API server gives them
 * on every read once the CRD of this version is installed. Helm never upgrades a CRD, so after an
 * operator upgrade the StreamJobs may still be served under an older CRD, without the fields added
 * since (`job.healthCheck`, `job.rollback`, `checkpointing.deletionPolicy`, ...): the operator reads
 * each StreamJob through this, and acts on them as the newer CRD would have them. Nothing is written
 * back; values the object has are kept, and a spec that does not validate is left for the semantic
 * checks to report.
 */
export function withSchemaDefaults(job: StreamJob): StreamJob {
  defaulting ??= kubernetesAjv({ useDefaults: true }).compile(toOpenApiSchema(StreamJobSpecSchema));
  const spec = structuredClone(job.spec);
  defaulting(spec);
  return { ...job, spec };
}
