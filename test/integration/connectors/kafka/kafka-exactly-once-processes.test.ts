// Kafka -> keyed state -> Kafka (exactly-once) across JobManager and TaskManager processes, with
// TaskManagers and the JobManager SIGKILLed while numbers keep arriving, and stopped with a savepoint
// at 2 readers and resumed at 4 over the 4 partitions: what a read_committed consumer sees in the
// output topic is exactly every key's counts 1..n, once each.
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { CheckpointingStatistics } from '../../../../runtime/rest/rest-types.ts';
import { freePort } from '../../../support/free-port.ts';
import { waitFor } from '../../../support/processes.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';
import { allRunning, Cluster } from '../../cluster/cluster-fixture.ts';
import { KafkaTestBroker, sortedValues } from './kafka-fixture.ts';
import { KEYS } from './jobs/kafka-counts.ts';

const kafka = new KafkaTestBroker();
const tempDir = tempDirs('sluice-kafka-eo-');

/** Every output record of an uninterrupted run over the numbers 0..total-1: `<key>:<count>` for each count of each key. */
function expectedCounts(total: number): string[] {
  const counts: string[] = [];
  for (let key = 0; key < KEYS; key++) for (let c = 1; c <= Math.ceil((total - key) / KEYS); c++) counts.push(`${key}:${c}`);
  return counts.sort();
}

describe('Kafka -> keyed state -> Kafka, exactly-once, across processes', () => {
  it('TaskManagers SIGKILLed twice and the JobManager once while numbers arrive: the read_committed output is exact', async () => {
    const total = 12_000;
    await kafka.createTopic('numbers', 4);
    await kafka.createTopic('counts', 2);
    const [rpcPort, restPort] = [await freePort(), await freePort()];
    const cluster = new Cluster({
      entry: 'test/integration/connectors/kafka/jobs/kafka-counts.ts',
      args: [kafka.bootstrapServers, 'numbers', 'counts'],
      parallelism: 2,
      taskManagers: 2,
      config: {
        jobmanager: { address: '127.0.0.1', bindAddress: '127.0.0.1', rpcPort, restPort },
        restartStrategy: { type: 'fixed-delay', attempts: 10, delay: '200ms' },
        checkpointing: { interval: '300ms', mode: 'exactly-once', timeout: '20s', minPause: '0ms', retained: 3, storage: { filesystem: { path: join(tempDir(), 'checkpoints') } } },
      },
    });
    const checkpoints = () => cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
    // The numbers arrive over the whole test, 200 every 50 ms, spread over the 4 partitions.
    let produced = 0;
    let producing = true;
    const producer = (async () => {
      while (producing && produced < total) {
        const batch = Array.from({ length: Math.min(200, total - produced) }, (_, i) => ({ value: String(produced + i), partition: (produced + i) % 4 }));
        await kafka.produce('numbers', batch);
        produced += batch.length;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await cluster.start();
      for (const [fault, victim] of (['tm-0', 'jm', 'tm-1'] as const).entries()) {
        await cluster.waitForDetails('all subtasks running', allRunning, 90_000);
        const before = (await checkpoints()).counts.completed;
        await waitFor('a checkpoint of this attempt', async () => ((await checkpoints()).counts.completed > before) || undefined, 60_000);
        await new Promise((r) => setTimeout(r, Math.random() * 300));
        if (victim === 'jm') {
          await cluster.replaceJobManager('jobmanager-2');
          await waitFor('a restore by the new JobManager', async () => ((await checkpoints().catch(() => undefined))?.latest.restored ? true : undefined), 60_000);
          continue;
        }
        await cluster.replaceTaskManager(victim === 'tm-0' ? 0 : 1, `${victim}-${fault}`);
      }
      await producer;
      expect(produced).toBe(total);
      const expected = expectedCounts(total);
      // Every count is committed once the checkpoints after the last number completed.
      await waitFor(
        `all ${expected.length} counts committed`,
        async () => ((await kafka.endOffsets('counts', 2, 'read_committed')).reduce((a, b) => a + b, 0n) >= BigInt(expected.length) ? true : undefined),
        120_000,
      );
      await cluster.waitForDetails('all subtasks running', allRunning, 60_000);
      const before = (await checkpoints()).counts.completed;
      await waitFor('one more checkpoint', async () => ((await checkpoints()).counts.completed > before) || undefined, 60_000);
      expect(sortedValues(await kafka.readAll('counts', 2))).toEqual(expected);
      // The restarted JobManager restored once itself, then after the TaskManager killed after it.
      expect((await checkpoints()).counts.restored).toBe(2);
      // The source committed the checkpointed offsets to its group (monitoring): everything was read.
      await waitFor(
        'the group kafka-counts at the end of every partition',
        async () => {
          const [group] = await kafka.admin().listConsumerGroupOffsets({ groups: ['kafka-counts'] });
          const offsets = group?.topics.find((t) => t.name === 'numbers')?.partitions.map((p) => p.committedOffset);
          return offsets?.length === 4 && offsets.every((o) => o === BigInt(total / 4)) ? true : undefined;
        },
        30_000,
      );
    } finally {
      producing = false;
      await producer.catch(() => {});
      await cluster.stop();
    }
  }, 300_000);

  it('stop with a savepoint at 2 readers, resume at 4 over the 4 partitions: no record lost or repeated', async () => {
    const total = 8_000;
    await kafka.createTopic('rescale-in', 4);
    await kafka.createTopic('rescale-out', 2);
    const numbers = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ value: String(from + i), partition: (from + i) % 4 }));
    await kafka.produce('rescale-in', numbers(0, total / 2));
    const storage = { filesystem: { path: join(tempDir(), 'checkpoints') } };
    const config = { checkpointing: { interval: '500ms', mode: 'exactly-once' as const, timeout: '20s', minPause: '0ms', retained: 3, storage } };
    const args = [kafka.bootstrapServers, 'rescale-in', 'rescale-out'];
    const first = new Cluster({ entry: 'test/integration/connectors/kafka/jobs/kafka-counts.ts', args, parallelism: 2, taskManagers: 2, config });
    let location: string;
    try {
      await first.start();
      await first.waitForDetails('records flowing', (d) => allRunning(d) && d.vertices[0]!.subtasks.some((s) => s.recordsOut > 0), 60_000);
      location = await first.stopWithSavepoint();
      await first.waitForState('FINISHED');
    } finally {
      await first.stop();
    }
    // the second half arrives while no job runs
    await kafka.produce('rescale-in', numbers(total / 2, total));
    const second = new Cluster({ entry: 'test/integration/connectors/kafka/jobs/kafka-counts.ts', jobId: 'run-2', args, parallelism: 4, taskManagers: 4, config });
    process.env.SLUICE_JOB__RESTORE_FROM = location;
    try {
      await second.start();
      const expected = expectedCounts(total);
      await waitFor(
        `all ${expected.length} counts committed`,
        async () => ((await kafka.endOffsets('rescale-out', 2, 'read_committed')).reduce((a, b) => a + b, 0n) >= BigInt(expected.length) ? true : undefined),
        120_000,
      );
      const details = await second.waitForDetails('4 readers running', allRunning, 60_000);
      expect(details.vertices[0]!.subtasks.length).toBe(4);
      expect(sortedValues(await kafka.readAll('rescale-out', 2))).toEqual(expected);
      const stats = await second.get<CheckpointingStatistics>(`/jobs/${second.jobId}/checkpoints`);
      expect(stats.latest.restored).toMatchObject({ isSavepoint: true, externalPath: location });
    } finally {
      delete process.env.SLUICE_JOB__RESTORE_FROM;
      await second.stop();
    }
  }, 240_000);
});
