import { closeSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { SecurityConfig } from '../config/index.ts';
import { envName } from '../config/index.ts';
import { parseRunKey } from '../rest/run-key.ts';

/** A JobManager or TaskManager that cannot authenticate its peers refuses to start with this. */
export class RunKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunKeyError';
  }
}

/**
 * The run key a JobManager or TaskManager authenticates its peers with, read once at start from
 * `security.runKeyFile` (a file, or `/dev/fd/<n>`: a descriptor inherited from the parent); null when `security.auth` is `disabled` (an opt-out for development,
 * logged as a warning). Throws a RunKeyError naming the key and the file, never their content,
 * when authentication is on and no valid key is there: the process must not start open.
 */
export function readRunKey(security: SecurityConfig, log: Logger): Buffer | null {
  if (security.auth === 'disabled') {
    log.warn('authentication is disabled (security.auth: disabled): anyone who reaches the REST, RPC and data ports controls this job');
    return null;
  }
  const file = security.runKeyFile;
  if (file === undefined) {
    throw new RunKeyError(
      `no run key: set security.runKeyFile (${envName(['security', 'runKeyFile'])}) to a file holding the run key, or security.auth: disabled for development`,
    );
  }
  let text: string;
  try {
    text = readKeyText(file);
  } catch (error) {
    throw new RunKeyError(`cannot read the run key file ${file} (security.runKeyFile): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return parseRunKey(text);
  } catch (error) {
    throw new RunKeyError(`run key file ${file} (security.runKeyFile): ${(error as Error).message}`);
  }
}

/**
 * A file's text; `/dev/fd/<n>` is read from the inherited descriptor n to its end and closed, so a
 * parent can hand the key over a pipe or socket pair (which cannot be opened again by path) and
 * nothing this process starts inherits it.
 */
function readKeyText(file: string): string {
  const inherited = /^\/dev\/fd\/(\d+)$/.exec(file);
  if (inherited === null) return readFileSync(file, 'utf8');
  const fd = Number(inherited[1]);
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
