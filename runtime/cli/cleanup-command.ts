import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { deleteJobStorage } from '../checkpoint/job-storage-cleanup.ts';
import { loadConfig } from '../config/index.ts';
import { openConfiguredStorage } from '../fs/open-object-store.ts';

/**
 * `sluice cleanup --delete <prefix>...`: deletes what lies below the prefixes of the job's folder in
 * its checkpoint storage (the configuration's `checkpointing.storage`, `job.namespace`, `job.name`),
 * with the job's own storage credentials. What the operator runs in a short-lived pod when a
 * StreamJob is deleted (its `checkpointing.deletionPolicy`): the operator holds no storage
 * credentials. Prints `{"deleted": {<prefix>: <files>}}`.
 */
export function cleanupCommand(): Command {
  return new Command('cleanup')
    .description("delete prefixes of the job's folder in its checkpoint storage (a StreamJob's deletion policy)")
    .requiredOption('--delete <prefix...>', "what to delete, relative to <namespace>/<job-name>/, e.g. <uid>- (the runs' checkpoints) or savepoints/sp-<n>/")
    .option('-c, --config <file>', 'configuration file (default: SLUICE_CONFIG, else defaults and SLUICE_* variables)')
    .option('--termination-message <file>', 'also write the result (JSON) to this file, e.g. /dev/termination-log')
    .action(async (opts: { delete: string[]; config?: string; terminationMessage?: string }) => {
      const config = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }) });
      const storage = await openConfiguredStorage(config.checkpointing.storage);
      try {
        const result = JSON.stringify(await deleteJobStorage(storage, { namespace: config.job.namespace, jobName: config.job.name }, opts.delete));
        process.stdout.write(`${result}\n`);
        if (opts.terminationMessage !== undefined) writeFileSync(opts.terminationMessage, result);
      } finally {
        await storage.close();
      }
    });
}
