import { afterAll, beforeAll } from '@jest/globals';
import { startKafkaBroker, type KafkaBroker } from '../../../../sandbox/kafka/broker.ts';
import { KafkaTopics } from '../../../support/kafka-topics.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

export { sortedValues } from '../../../support/kafka-topics.ts';

/** One real Kafka broker for the test file (started in beforeAll, stopped in afterAll), and its topics. */
export class KafkaTestBroker extends KafkaTopics {
  broker!: KafkaBroker;

  constructor() {
    super();
    const tempDir = tempDirs('sluice-kafka-connector-');
    beforeAll(async () => {
      this.broker = await startKafkaBroker({ dir: tempDir() });
    }, 300_000);
    afterAll(async () => {
      await this.closeClients();
      await this.broker?.stop();
    });
  }

  get bootstrapServers(): string {
    return this.broker.bootstrapServers;
  }
}
