import { Command } from 'commander';
import { configuredS3Options } from '../fs/configured-s3-options.ts';
import { setProcessS3Connection } from '../fs/process-s3-connection.ts';
import { openTaskCheckpointHooks } from '../checkpoint/task-checkpoint-hooks.ts';
import { loadConfig } from '../config/index.ts';
import { withJobSettings } from '../cluster/job-graph-builder.ts';
import { processLogger, stopOnSignals } from '../cluster/process-lifecycle.ts';
import { startTaskManager } from '../cluster/taskmanager.ts';

/** `sluice taskmanager --config file`: a TaskManager process offering slots to the job's JobManager. */
export function taskmanagerCommand(): Command {
  return new Command('taskmanager')
    .description('run a TaskManager: registers with the JobManager and runs the subtasks it deploys')
    .option('-c, --config <file>', 'configuration file (YAML or JSON); default: SLUICE_CONFIG')
    .action(async (opts: { config?: string }) => {
      const config = await withJobSettings(loadConfig({ file: opts.config }));
      const log = processLogger(config, { component: 'taskmanager' });
      setProcessS3Connection(configuredS3Options(config));
      const executor = await startTaskManager(config, log, (error) => {
        void executor.stop().finally(() => {
          process.stderr.write(`sluice: ${error.message}\n`);
          process.exit(1);
        });
      }, await openTaskCheckpointHooks(config));
      stopOnSignals(log, () => executor.stop());
    });
}
