import { describe, expect, it } from '@jest/globals';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CollectSink, FileSource, WatermarkStrategy } from '../../../runtime/api/index.ts';
import { LocalExecutor } from '../../../runtime/cluster/local-executor.ts';
import { localEnvironment } from '../../../runtime/cluster/local-environment.ts';
import { waitUntil } from '../../support/processes.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const tempDir = tempDirs('sluice-file-source-');

/** Lines of varied length (some empty, some multi-byte), as a file's text. */
function lines(count: number, tag: string): string[] {
  return Array.from({ length: count }, (_, i) => (i % 97 === 0 ? '' : `${tag}-${i}-${'é✓'.repeat(i % 13)}`));
}

describe('FileSource', () => {
  it('one large file read by 4 readers through byte-range splits: every line exactly once, each reader reading part of it', async () => {
    const path = join(tempDir(), 'large.txt');
    const expected = lines(60_000, 'line');
    writeFileSync(path, expected.join('\n') + '\n');
    const env = localEnvironment().setParallelism(4);
    const sink = new CollectSink<string>();
    env.fromSource(new FileSource(path, { splitSize: 64 * 1024 }), WatermarkStrategy.noWatermarks(), 'Lines').sinkTo(sink);
    const job = new LocalExecutor().start(env.getJobGraph('large file'));
    await job.result;
    expect([...sink.values].sort()).toEqual([...expected].sort());
    const perReader = job.tasks.filter((t) => t.vertex.isSource).map((t) => t.metrics()[0]!.recordsOut);
    expect(perReader.reduce((a, b) => a + b, 0)).toBe(expected.length);
    expect(perReader.every((n) => n > 0)).toBe(true);
  });

  it('monitorContinuously reads the files of a directory and then the file added while it runs', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'in'));
    const first = lines(3000, 'first');
    writeFileSync(join(dir, 'in', 'a.txt'), first.join('\n'));
    const env = localEnvironment().setParallelism(2);
    const sink = new CollectSink<string>();
    env.fromSource(new FileSource(join(dir, 'in'), { splitSize: 16 * 1024 }).monitorContinuously(20), WatermarkStrategy.noWatermarks(), 'Lines').sinkTo(sink);
    const job = new LocalExecutor().start(env.getJobGraph('monitor'));
    const ended = job.result.catch((e: unknown) => e);
    try {
      await waitUntil(() => sink.values.length === first.length, 'the first file read');
      // Written beside the directory and renamed into it, so it appears whole.
      const second = lines(2000, 'second');
      writeFileSync(join(dir, 'b.txt'), second.join('\n') + '\n');
      renameSync(join(dir, 'b.txt'), join(dir, 'in', 'b.txt'));
      await waitUntil(() => sink.values.length === first.length + second.length, 'the added file read');
      expect([...sink.values].sort()).toEqual([...first, ...second].sort());
      // Unbounded: it keeps running, waiting for more files.
      expect(job.tasks.filter((t) => t.vertex.isSource).every((t) => t.isRunning)).toBe(true);
    } finally {
      job.cancel();
      expect(await ended).toHaveProperty('name', 'TaskCancelledError');
    }
  });
});
