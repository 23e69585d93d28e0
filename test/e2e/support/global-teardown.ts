import { rmSync } from 'node:fs';
import { sandboxCli } from './global-setup.ts';

/** Stops the e2e sandbox and every process it started; keeps its directory when SLUICE_KEEP_SANDBOX is set. */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env.SLUICE_E2E_SANDBOX;
  if (dir === undefined) return;
  await sandboxCli(dir, ['down']);
  if (process.env.SLUICE_KEEP_SANDBOX === undefined) rmSync(dir, { recursive: true, force: true });
}
