import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { terminationMessage } from '../../../../sandbox/kubelet/termination-message.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const tempDir = tempDirs('sluice-termination-message-');

function files(message: string | undefined, log: string) {
  const dir = tempDir();
  const file = join(dir, 'termination-log');
  if (message !== undefined) writeFileSync(file, message);
  writeFileSync(join(dir, 'log'), log);
  return { file, log: join(dir, 'log') };
}

describe('terminationMessage', () => {
  it('is the last 4096 bytes of what the container wrote, whatever the exit code and policy', () => {
    const f = files('x'.repeat(10) + 'y'.repeat(4096), 'log line\n');
    expect(terminationMessage(f.file, f.log, 'File', 0)).toBe('y'.repeat(4096));
    expect(terminationMessage(f.file, f.log, 'FallbackToLogsOnError', 1)).toBe('y'.repeat(4096));
  });

  it('falls back to the last 80 log lines, at most 2048 bytes, only with FallbackToLogsOnError after a failure and an empty file', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const f = files('', `${lines.join('\n')}\n`);
    expect(terminationMessage(f.file, f.log, 'FallbackToLogsOnError', 2)).toBe(`${lines.slice(20).join('\n')}\n`);
    expect(terminationMessage(f.file, f.log, 'FallbackToLogsOnError', 0)).toBeUndefined();
    expect(terminationMessage(f.file, f.log, 'File', 2)).toBeUndefined();
    const long = files(undefined, `${'z'.repeat(5000)}\n`);
    expect(terminationMessage(undefined, long.log, 'FallbackToLogsOnError', 2)).toBe(`${'z'.repeat(2047)}\n`);
  });
});
