import type { RestartTally } from '../api/restart-tally.ts';

/** What one JobManager reports of its restarts: how many, and when it started the job. */
export interface ReportedRestarts {
  restarts: number;
  /** When this JobManager started the job; absent from a JobManager that does not say. */
  startTime?: Date;
}

/**
 * The run's restart count after one JobManager report, for `status.restarts`.
 *
 * The operator adds up the JobManagers of a run rather than the JobManager recovering its count from
 * storage: a JobManager that must write before it may count a restart fails or double-counts exactly
 * when storage is what failed (the commonest cause of restarts), and Flink too keeps numRestarts in
 * memory only. The status already survives a new leader, so the sum does too. A JobManager is known
 * by the time it started the job (a replaced pod and a restarted container both give a new one);
 * without it, a count lower than the last is taken for a new JobManager. Restarts a JobManager made
 * after the operator's last poll and before it died are not seen (at most one poll interval's worth).
 */
export function tallyRestarts(tally: RestartTally | undefined, run: number, reported: ReportedRestarts): RestartTally {
  const startTime = reported.startTime?.toISOString();
  const current = (earlier: number): RestartTally => ({
    run,
    ...(startTime === undefined ? {} : { jobManagerStartTime: startTime }),
    jobManagerRestarts: reported.restarts,
    earlier,
  });
  if (tally === undefined || tally.run !== run) return current(0);
  const sameJobManager = startTime !== undefined && tally.jobManagerStartTime !== undefined ? startTime === tally.jobManagerStartTime : reported.restarts >= tally.jobManagerRestarts;
  return current(sameJobManager ? tally.earlier : tally.earlier + tally.jobManagerRestarts);
}

/** The run's restarts: those of its earlier JobManagers and the current one's. */
export function totalRestarts(tally: RestartTally): number {
  return tally.earlier + tally.jobManagerRestarts;
}
