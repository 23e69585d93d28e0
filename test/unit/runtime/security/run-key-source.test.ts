import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveConfig } from '../../../../runtime/config/index.ts';
import { readRunKey } from '../../../../runtime/security/run-key-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-run-key-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function logged(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }), lines };
}

const security = (values: Record<string, unknown>) => resolveConfig({ security: values }).security;

describe('readRunKey', () => {
  it('reads the key file named by security.runKeyFile', () => {
    const file = join(dir, 'key');
    writeFileSync(file, `${'ab'.repeat(32)}\n`);
    expect(readRunKey(security({ runKeyFile: file }), logged().logger)?.toString('hex')).toBe('ab'.repeat(32));
  });

  it('refuses to go on without a usable key, naming the file but not its content', () => {
    const { logger } = logged();
    expect(() => readRunKey(security({}), logger)).toThrow(
      'no run key: set security.runKeyFile (SLUICE_SECURITY__RUN_KEY_FILE) to a file holding the run key, or security.auth: disabled for development',
    );
    expect(() => readRunKey(security({ runKeyFile: join(dir, 'missing') }), logger)).toThrow(`cannot read the run key file ${join(dir, 'missing')} (security.runKeyFile): ENOENT`);
    const bad = join(dir, 'bad');
    writeFileSync(bad, 'secret-but-not-hex');
    expect(() => readRunKey(security({ runKeyFile: bad }), logger)).toThrow(`run key file ${bad} (security.runKeyFile): run key must be 64 hex characters, got 18 characters`);
  });

  it('returns null with a warning when authentication is disabled', () => {
    const { logger, lines } = logged();
    expect(readRunKey(security({ auth: 'disabled' }), logger)).toBeNull();
    expect(lines.map((l) => (JSON.parse(l) as { level: number; msg: string }).level)).toEqual([40]);
    expect(lines[0]).toContain('authentication is disabled (security.auth: disabled)');
  });
});
