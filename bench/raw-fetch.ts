import { Consumer } from '@platformatic/kafka';

/**
 * Reads `records` records of `topic` (its partitions on one leader) with a plain loop over the
 * client's Consumer.fetch() at positions it keeps: no consumer group, no stream, records as the
 * client parses them, each handed to `onRecord`. The baseline of the client comparison and of the
 * KafkaSource bench. Resolves with the milliseconds it took.
 */
export async function rawFetch(bootstrap: string, topic: string, records: number, onRecord: (value: Buffer | null) => void): Promise<number> {
  const consumer = new Consumer({ clientId: 'bench-raw-fetch', groupId: `raw-fetch-${topic}`, bootstrapBrokers: [bootstrap] });
  const started = performance.now();
  const metadata = (await consumer.metadata({ topics: [topic] })).topics.get(topic)!;
  const positions = metadata.partitions.map(() => 0n);
  let count = 0;
  while (count < records) {
    const response = await consumer.fetch({
      node: metadata.partitions[0]!.leader,
      topics: [{ topicId: metadata.id, partitions: positions.map((fetchOffset, partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 })) }],
      maxWaitTime: 100,
      minBytes: 1,
      maxBytes: 10 << 20,
    });
    for (const partition of response.responses[0]!.partitions) {
      for (const batch of partition.records ?? []) {
        for (const record of batch.records) onRecord(record.value);
        count += batch.records.length;
        positions[partition.partitionIndex] = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
      }
    }
  }
  const ms = performance.now() - started;
  await consumer.close();
  return ms;
}
