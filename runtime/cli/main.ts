import { Command } from 'commander';
import { cleanupCommand } from './cleanup-command.ts';
import { initCommand } from './init-command.ts';
import { jobmanagerCommand } from './jobmanager-command.ts';
import { planCommand } from './plan-command.ts';
import { runCommand } from './run-command.ts';
import { savepointCommand } from './savepoint-command.ts';
import { taskmanagerCommand } from './taskmanager-command.ts';

/** The `sluice` command. Each subcommand lives in its own file and is added here. */
const program = new Command('sluice')
  .description('Sluice: Flink-style stream processing in TypeScript')
  .showHelpAfterError()
  .addCommand(initCommand())
  .addCommand(runCommand())
  .addCommand(savepointCommand())
  .addCommand(cleanupCommand())
  .addCommand(planCommand())
  .addCommand(jobmanagerCommand())
  .addCommand(taskmanagerCommand());

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`sluice: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
