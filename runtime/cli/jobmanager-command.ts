import { Command } from 'commander';
import { openJobCheckpointing } from '../checkpoint/job-checkpointing.ts';
import { JobRuns } from '../checkpoint/job-runs.ts';
import { loadConfig } from '../config/index.ts';
import { withJobSettings } from '../cluster/job-graph-builder.ts';
import { startJobManager } from '../cluster/jobmanager.ts';
import type { JobManagerStartedMessage } from '../cluster/local-cluster.ts';
import { processLogger, stopOnSignals } from '../cluster/process-lifecycle.ts';

/** `sluice jobmanager --config file`: the JobManager process of one job. */
export function jobmanagerCommand(): Command {
  return new Command('jobmanager')
    .description('run the JobManager of a job: schedules its subtasks on TaskManagers, serves the REST API')
    .option('-c, --config <file>', 'configuration file (YAML or JSON); default: SLUICE_CONFIG')
    .action(async (opts: { config?: string }) => {
      const config = await withJobSettings(loadConfig({ file: opts.config }));
      const log = processLogger(config, { component: 'jobmanager' });
      const checkpointing = await openJobCheckpointing(config, log);
      const jm = await startJobManager(config, log, checkpointing);
      checkpointing?.onStopRequested(() => jm.master.cancel());
      // The run is marked finished in its storage: a later `sluice run` starts a new run instead of resuming it.
      let marked = Promise.resolve();
      jm.master.onStateChange((state) => {
        if (state !== 'FINISHED' || !checkpointing) return;
        const runs = new JobRuns(checkpointing.storage, { namespace: config.job.namespace, jobName: config.job.name });
        marked = runs.markFinished(config.job.id).catch((e: unknown) => log.warn({ err: e }, `marking run ${config.job.id} finished failed: ${(e as Error).message}`));
      });
      // A parent that started us (`sluice run --taskmanagers`) learns the ports we picked.
      process.send?.({ type: 'jobmanager-started', rpcPort: jm.rpcPort, restPort: jm.restPort } satisfies JobManagerStartedMessage);
      stopOnSignals(log, async () => {
        await marked;
        await jm.close();
      });
    });
}
