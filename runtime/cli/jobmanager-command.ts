import { Command } from 'commander';
import { openJobCheckpointing } from '../checkpoint/job-checkpointing.ts';
import { loadConfig } from '../config/index.ts';
import { startJobManager } from '../cluster/jobmanager.ts';
import type { JobManagerStartedMessage } from '../cluster/local-cluster.ts';
import { processLogger, stopOnSignals } from '../cluster/process-lifecycle.ts';

/** `sluice jobmanager --config file`: the JobManager process of one job. */
export function jobmanagerCommand(): Command {
  return new Command('jobmanager')
    .description('run the JobManager of a job: schedules its subtasks on TaskManagers, serves the REST API')
    .option('-c, --config <file>', 'configuration file (YAML or JSON); default: SLUICE_CONFIG')
    .action(async (opts: { config?: string }) => {
      const config = loadConfig({ file: opts.config });
      const log = processLogger(config, { component: 'jobmanager' });
      const checkpointing = await openJobCheckpointing(config, log);
      const jm = await startJobManager(config, log, checkpointing);
      checkpointing?.onStopRequested(() => jm.master.cancel());
      // A parent that started us (`sluice run --taskmanagers`) learns the ports we picked.
      process.send?.({ type: 'jobmanager-started', rpcPort: jm.rpcPort, restPort: jm.restPort } satisfies JobManagerStartedMessage);
      stopOnSignals(log, () => jm.close());
    });
}
