import { describe, expect, it } from '@jest/globals';
import { Cluster } from './cluster-fixture.ts';
import { inProcessLines, publishedLines } from './parts.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const tempDir = tempDirs('sluice-parity-');

const JOBS = [
  { job: 'WordCount', entry: 'test/integration/cluster/jobs/wordcount-file.ts', args: [] as string[], lines: 8 * 39 },
  { job: 'keyed event-time windows', entry: 'test/integration/cluster/jobs/windows-file.ts', args: ['30000'], lines: 7 * 30 },
];

describe.each(JOBS)('$job across a JobManager and TaskManager processes', ({ entry, args, lines }) => {
  it.each([2, 3])('with %i TaskManagers gives exactly the in-process output', async (n) => {
    const out = tempDir();
    const cluster = new Cluster({ entry, args: [out, ...args], parallelism: n, taskManagers: n });
    try {
      await cluster.start();
      const done = await cluster.waitForState('FINISHED');
      expect(done.attempt).toBe(1);
      expect(done.restarts).toBe(0);
      expect(done.taskManagers.registered).toBe(n);
      // Every TaskManager ran subtasks, and records crossed the data plane.
      const hosts = new Set(done.vertices.flatMap((v) => v.subtasks.map((s) => s.taskManagerId)));
      expect(hosts.size).toBe(n);
      expect(done.vertices.flatMap((v) => v.subtasks).every((s) => s.status === 'FINISHED')).toBe(true);
      expect(done.vertices.flatMap((v) => v.subtasks).some((s) => s.bytesOut > 0)).toBe(true);
      const expectedDir = tempDir();
      const expected = await inProcessLines(entry, [expectedDir, ...args], n, expectedDir);
      const actual = publishedLines(out);
      expect(actual.length).toBe(lines);
      expect(actual).toEqual(expected);
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});
