import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveRunKey, encodeRunKey, restToken } from '../../runtime/rest/run-key.ts';

/** The run key of every JobManager, TaskManager and data plane tests start (a fixed test value). */
export const TEST_RUN_KEY = deriveRunKey(Buffer.from('sluice tests'), 'test-run');

/** The REST headers that authenticate with TEST_RUN_KEY. */
export function authHeaders(key: Buffer = TEST_RUN_KEY): Record<string, string> {
  return { authorization: `Bearer ${restToken(key)}` };
}

let file: string | null = null;

/** A file (mode 0600, removed when the test process exits) holding TEST_RUN_KEY, for security.runKeyFile. */
export function testRunKeyFile(): string {
  if (file === null) {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-run-key-'));
    const path = join(dir, 'run-key');
    writeFileSync(path, encodeRunKey(TEST_RUN_KEY), { mode: 0o600 });
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    file = path;
  }
  return file;
}
