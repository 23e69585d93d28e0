import type { StreamJob } from '../../operator/api/stream-job.ts';
import { specHash } from '../../operator/resources/spec-hash.ts';

/**
 * The StreamJob as if the upgrade check of its current spec had found it safe
 * (operator/lifecycle/upgrade-check.ts, tested in upgrade-check.test.ts): for lifecycle tests of what
 * an upgrade does once the check let it through.
 */
export function upgradeChecked(job: StreamJob): StreamJob {
  const hash = specHash(job.spec);
  return {
    ...job,
    status: {
      ...job.status,
      upgradeCheck: { specHash: hash, state: 'Safe', message: 'checked safe', startTime: job.status?.run?.startTime ?? '2026-11-25T12:00:00Z' },
    },
  };
}
