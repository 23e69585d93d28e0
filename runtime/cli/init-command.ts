import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { Command, InvalidArgumentError } from 'commander';
import { jobProjectFiles } from './job-project-files.ts';

/** A StreamJob's name is a DNS label (RFC 1123), and so the project's. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function projectName(value: string): string {
  if (!DNS_LABEL.test(value)) throw new InvalidArgumentError(`"${value}" is not a lowercase DNS label (a-z, 0-9, '-'), as a StreamJob's name must be: give one with --name`);
  return value;
}

/** This Sluice's version: its package.json, by the package's own name (the repository or the installed package). */
function sluiceVersion(): string {
  return (createRequire(import.meta.url)('sluice/package.json') as { version: string }).version;
}

/** `sluice init <dir>`: writes a new job project into `dir` (new, or empty). */
export function initCommand(): Command {
  return new Command('init')
    .description('create a job project: a windowed job, its test, a Dockerfile of the job image and its StreamJob')
    .argument('<dir>', 'directory of the new project (created; must be empty if it exists)')
    .option('--name <name>', 'project and StreamJob name (default: the directory name)', projectName)
    .option('--sluice <spec>', 'the sluice dependency in package.json (default: ^ this version; a path or tarball works too)')
    .action((dir: string, opts: { name?: string; sluice?: string }) => {
      const target = resolve(dir);
      const name = opts.name ?? projectName(basename(target));
      if (existsSync(target) && readdirSync(target).length > 0) throw new Error(`${dir} is not empty: sluice init writes a new project into a new or empty directory`);
      const files = jobProjectFiles({ name, sluiceVersion: sluiceVersion(), sluiceDependency: opts.sluice });
      for (const [path, content] of files) {
        const file = join(target, path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
      process.stdout.write(`created ${name} in ${dir}: ${[...files.keys()].join(', ')}\nnext: cd ${dir} && npm install && npm test && npx sluice run src/job.ts\n`);
    });
}
