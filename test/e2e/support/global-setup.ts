import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** `npm run sandbox -- <args>` for the e2e suite's sandbox. */
export const sandboxCli = (dir: string, args: string[]) =>
  run(process.execPath, ['--import', 'tsx', join(root, 'sandbox/cli.ts'), '--dir', dir, ...args], { cwd: root, maxBuffer: 16 << 20 });

/**
 * One control plane, kubelet and MinIO for every e2e file of the run (each file works in its own
 * namespace): started as a user starts it, `npm run sandbox -- up`, in the background. Jest runs a
 * project's global setup only when at least one of its test files runs.
 */
export default async function globalSetup(): Promise<void> {
  const dir = join(root, '.sandbox', `e2e-${process.pid}`);
  process.env.SLUICE_E2E_SANDBOX = dir;
  try {
    await sandboxCli(dir, ['up', '--backoff-scale', '0.1', '--volume-sync-seconds', '1']);
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`the e2e sandbox did not start:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
