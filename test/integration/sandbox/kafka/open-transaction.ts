// A process that begins a Kafka transaction, sends records in it, prints the transaction's
// producer id and epoch as one JSON line and then waits, never committing: the test SIGKILLs it.
// argv: <bootstrap servers> <topic> <transactional.id> <value>...
import { Producer, stringSerializers } from '@platformatic/kafka';
import { TRANSACTIONAL_PRODUCER } from '../../../../runtime/connectors/kafka/transactions.ts';

const [bootstrap, topic, transactionalId, ...values] = process.argv.slice(2) as [string, string, string, ...string[]];
const producer = new Producer({ clientId: 'open-transaction', bootstrapBrokers: [bootstrap], serializers: stringSerializers, transactionalId, ...TRANSACTIONAL_PRODUCER });
const transaction = await producer.beginTransaction();
await transaction.send({ messages: values.map((value) => ({ topic, partition: 0, value })) });
console.log(JSON.stringify({ transactionalId, producerId: String(producer.producerId), producerEpoch: producer.producerEpoch }));
setInterval(() => {}, 60_000);
