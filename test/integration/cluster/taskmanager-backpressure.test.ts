import { describe, expect, it } from '@jest/globals';
import type { JobDetails } from '../../../runtime/rest/rest-types.ts';
import { Cluster } from './cluster-fixture.ts';
import { authHeaders } from '../../support/run-key.ts';

/** Sender-side bytes per TaskManager and per subtask, from the JobManager's /metrics. */
async function bufferedBytes(cluster: Cluster): Promise<{ sendBuffered: number[]; queued: number[] }> {
  const text = await (await fetch(`http://127.0.0.1:${cluster.restPort}/metrics`, { headers: authHeaders() })).text();
  const values = (name: string) => [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'gm'))].map((m) => Number(m[1]));
  return { sendBuffered: values('sluice_taskmanager_send_buffered_bytes'), queued: values('sluice_subtask_queued_bytes') };
}

const flow = (d: JobDetails) => ({
  sourceOut: d.vertices[0]!.subtasks[0]!.recordsOut,
  sinkIn: d.vertices[1]!.subtasks.reduce((a, s) => a + s.recordsIn, 0),
  backpressure: d.vertices[0]!.subtasks[0]!.backpressureRatio,
});

describe('backpressure across TaskManager processes', () => {
  it('a slow sink slows the source down while the sender keeps its buffered bytes under a fixed bound', async () => {
    const cluster = new Cluster({ entry: 'test/integration/cluster/jobs/slow-sink.ts', parallelism: 2, taskManagers: 2 });
    // Sender memory per remote channel: maxQueuedBuffers (4) + the batch being filled, of bufferSize (32 KiB).
    const BOUND_BYTES = 2 * 5 * 32 * 1024;
    try {
      await cluster.start();
      await cluster.waitForDetails('the sink receiving records', (d) => d.state === 'RUNNING' && flow(d).sinkIn > 20_000);
      const samples: ReturnType<typeof flow>[] = [];
      for (let i = 0; i < 15; i++) {
        const [d, bytes] = await Promise.all([cluster.details(), bufferedBytes(cluster)]);
        samples.push(flow(d));
        expect(bytes.sendBuffered.length).toBe(2);
        for (const b of [...bytes.sendBuffered, ...bytes.queued]) expect(b).toBeLessThanOrEqual(BOUND_BYTES);
        await new Promise((r) => setTimeout(r, 200));
      }
      const first = samples[0]!;
      const last = samples.at(-1)!;
      // The source runs at the sink's pace: what it emitted beyond what the sinks took stays bounded...
      for (const s of samples) expect(s.sourceOut - s.sinkIn).toBeLessThan(150_000);
      // ...though it is still making progress, and it reports being backpressured most of the time.
      expect(last.sinkIn).toBeGreaterThan(first.sinkIn);
      expect(last.sourceOut).toBeLessThan(first.sourceOut + 25_000 * 4 * 2);
      expect(samples.slice(5).every((s) => s.backpressure > 0.5)).toBe(true);
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});
