import { spawn } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { TEXT } from '../../../examples/wordcount.ts';

/** Runs the real `sluice` command as a child process and returns its stdout, stderr and exit code. */
function sluice(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['runtime/cli/bin.js', ...args], {
      cwd: process.cwd(),
      env: { ...process.env, SLUICE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function expectedCounts(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) for (const w of line.toLowerCase().split(/\W+/)) if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/** Final count per word from printed running counts, checking each word's counts rise 1, 2, 3, ... */
function finalCounts(stdout: string): Map<string, number> {
  const seen = new Map<string, number>();
  for (const line of stdout.trim().split('\n')) {
    const [word, count] = JSON.parse(line.replace(/^\d+> /, '')) as [string, number];
    expect(count).toBe((seen.get(word) ?? 0) + 1);
    seen.set(word, count);
  }
  return seen;
}

describe('sluice run examples/wordcount.ts', () => {
  it.each([1, 3])('prints the exact word counts at parallelism %i', async (p) => {
    const { code, stdout, stderr } = await sluice(['run', 'examples/wordcount.ts', '--parallelism', String(p)]);
    expect(code).toBe(0);
    expect(finalCounts(stdout)).toEqual(expectedCounts(TEXT));
    const result = stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; operators?: { name: string; recordsIn: number; recordsOut: number }[] })
      .find((l) => l.msg === 'job result');
    const words = [...expectedCounts(TEXT).values()].reduce((a, b) => a + b, 0);
    expect(result?.operators).toEqual([
      { name: 'Source: Text', recordsIn: 0, recordsOut: TEXT.length },
      { name: 'Tokenizer', recordsIn: TEXT.length, recordsOut: words },
      { name: 'Counts', recordsIn: words, recordsOut: words },
      { name: 'Print to Std. Out', recordsIn: words, recordsOut: 0 },
    ]);
  });

  it('passes job arguments after --', async () => {
    const { code, stdout } = await sluice(['run', 'examples/wordcount.ts', '--', 'b a b', 'c b']);
    expect(code).toBe(0);
    expect(stdout).toBe('["b",1]\n["a",1]\n["b",2]\n["c",1]\n["b",3]\n');
  });

  it('fails with a clear message for a module without a default export and for a bad parallelism', async () => {
    const noDefault = await sluice(['run', 'examples/wordcount.ts', '--parallelism', '0']);
    expect(noDefault.code).toBe(1);
    expect(noDefault.stderr).toContain(`option '-p, --parallelism <n>' argument '0' is invalid. expected a positive integer, got "0"`);
    const missing = await sluice(['run', 'examples/missing-job.ts']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('sluice: cannot load job module "examples/missing-job.ts"');
    const selfExecuting = await sluice(['run', 'test/integration/cli/job-module-errors.fixture.ts']);
    expect(selfExecuting.code).toBe(1);
    expect(selfExecuting.stdout).toBe('');
    expect(selfExecuting.stderr).toContain(
      'sluice: job module "test/integration/cli/job-module-errors.fixture.ts" must not call env.execute(): it only builds the pipeline, and sluice runs it',
    );
    const notAJob = await sluice(['run', 'runtime/core/logger.ts']);
    expect(notAJob.code).toBe(1);
    expect(notAJob.stderr).toContain(
      'sluice: job module "runtime/core/logger.ts" has no default export (it exports only logger): export the function that builds the pipeline as its default, ' +
        '`export default (env: StreamExecutionEnvironment, args: string[]) => { ... }`\n',
    );
  });
});

describe("the README's first job", () => {
  it('prints the clicks per user and window', async () => {
    const { code, stdout } = await sluice(['run', 'examples/clicks-per-user.ts', '--parallelism', '2']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect([...lines].sort()).toEqual(['1> ["ada",1]', '1> ["ada",2]', '2> ["bob",1]']);
    // One subtask's windows fire in time order.
    expect(lines.filter((l) => l.includes('ada'))).toEqual(['1> ["ada",2]', '1> ["ada",1]']);
  });
});
