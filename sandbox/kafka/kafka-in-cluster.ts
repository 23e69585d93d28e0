import type { ApiClient } from '../kube-api/api-client.ts';
import { deploySinglePodService } from '../workloads/single-pod-service.ts';
import { ensureKafkaJars, KAFKA_SERVICE_PORT, kafkaContainer } from './broker.ts';

/** Kafka running in the cluster, and where each side reaches it. */
export interface ClusterKafka {
  /** Where this machine reaches the broker: the pod's loopback address (the broker advertises it). */
  bootstrapServers: string;
  /** Where pods reach it, by Service name: `kafka.kafka:9092`. */
  clusterBootstrapServers: string;
}

export interface ClusterKafkaOptions {
  /** Where the broker keeps its configuration, log and data (a hostPath volume of the pod). */
  dataDir: string;
  namespace?: string;
  readyTimeoutMs?: number;
  /** Progress lines of a first fetch of Kafka's jars (default: stderr). */
  buildLog?: (line: string) => void;
}

/**
 * Deploys a single-node Kafka (KRaft) as a Deployment of one pod behind the Service `kafka`, so a
 * StreamJob reads and writes topics at `kafka.<namespace>:9092`. Resolves once the broker answers.
 */
export async function startKafkaInCluster(api: ApiClient, options: ClusterKafkaOptions): Promise<ClusterKafka> {
  const libs = await ensureKafkaJars(options.buildLog);
  const ns = options.namespace ?? 'kafka';
  const ip = await deploySinglePodService(api, {
    namespace: ns,
    name: 'kafka',
    port: KAFKA_SERVICE_PORT,
    dataDir: options.dataDir,
    container: kafkaContainer({ libs, dir: options.dataDir }),
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
  });
  return { bootstrapServers: `${ip}:${KAFKA_SERVICE_PORT}`, clusterBootstrapServers: `kafka.${ns}:${KAFKA_SERVICE_PORT}` };
}
