// A Kafka job run as JobManager and TaskManager processes with a wrong bootstrap address, or a topic
// that does not exist: the job fails and its exceptions (REST /jobs/:id/exceptions, what the
// operator reports in the StreamJob's status) say why in one line.
import { describe, expect, it } from '@jest/globals';
import { Cluster } from '../../cluster/cluster-fixture.ts';
import { KafkaTestBroker } from './kafka-fixture.ts';

const kafka = new KafkaTestBroker();

async function rootException(args: string[]): Promise<string | undefined> {
  const cluster = new Cluster({ entry: 'test/integration/connectors/kafka/jobs/kafka-nowhere.ts', args, parallelism: 1, taskManagers: 1 });
  try {
    await cluster.start();
    await cluster.waitForState('FAILED', 90_000);
    return (await cluster.exceptions()).rootException?.message;
  } finally {
    await cluster.stop();
  }
}

describe('Kafka errors in a cluster', () => {
  it('a wrong bootstrap address', async () => {
    expect(await rootException(['127.0.0.1:1', 'in', 'out'])).toMatch(/KafkaSource: cannot discover the partitions of "in" at 127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1/);
  }, 120_000);

  it('a topic that does not exist', async () => {
    expect(await rootException([kafka.bootstrapServers, 'missing-in', 'out'])).toMatch(/KafkaSource: cannot discover the partitions of "missing-in" at 127\.0\.0\.1:\d+: Unknown topic missing-in\./);
  }, 120_000);
});
