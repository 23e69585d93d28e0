import type { StreamJobSpec } from '../api/stream-job-spec.ts';
import type { RunStatus } from '../api/stream-job-status.ts';
import type { StreamJob } from '../api/stream-job.ts';

/**
 * The spec a run is deployed from: `status.run.spec` when the run recorded one (a rollback deploys
 * the last stable spec, not `spec`), else the StreamJob's spec. Desired objects are built from it.
 */
export function runSpec(job: StreamJob, run: Pick<RunStatus, 'spec'> | undefined): StreamJobSpec {
  return run?.spec === undefined ? job.spec : (JSON.parse(run.spec) as StreamJobSpec);
}
