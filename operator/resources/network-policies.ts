import type { V1NetworkPolicy, V1NetworkPolicyIngressRule, V1NetworkPolicyPeer } from '@kubernetes/client-node';
import type { StreamJob } from '../api/stream-job.ts';
import { OBJECT_HASH_ANNOTATION, jobLabels, names, ownerReference } from './labels.ts';
import type { Component } from './labels.ts';
import { DATA_PORT, REST_PORT, RPC_PORT } from './runtime-config.ts';
import { objectHash } from './spec-hash.ts';

/**
 * The NetworkPolicies of a StreamJob, one per component, ingress only (egress stays open: S3, Kafka,
 * user services): the JobManager's RPC port takes connections from the job's TaskManagers only, its
 * REST port from the operator's namespace only; the TaskManagers' data port takes connections from
 * the job's TaskManagers only. Kubernetes always lets a pod's own node in (kubelet probes). The same
 * for every run, so they are written once per StreamJob, not per run.
 *
 * In client-node's model, whose serializer writes an ingress rule's `_from` as the API's `from`.
 */
export function networkPolicies(job: StreamJob, operatorNamespace: string): V1NetworkPolicy[] {
  const jobName = job.metadata.name!;
  const taskManagers: V1NetworkPolicyPeer = { podSelector: { matchLabels: jobLabels(jobName, 'taskmanager') } };
  const operator: V1NetworkPolicyPeer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': operatorNamespace } } };
  const tcp = (port: number) => ({ protocol: 'TCP', port });
  const policy = (name: string, component: Component, ingress: V1NetworkPolicyIngressRule[]): V1NetworkPolicy => {
    const manifest: V1NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: job.metadata.namespace!, labels: jobLabels(jobName, component), ownerReferences: [ownerReference(job)] },
      spec: { podSelector: { matchLabels: jobLabels(jobName, component) }, policyTypes: ['Ingress'], ingress },
    };
    return { ...manifest, metadata: { ...manifest.metadata, annotations: { [OBJECT_HASH_ANNOTATION]: objectHash(manifest) } } };
  };
  return [
    policy(names.jobManagerNetworkPolicy(jobName), 'jobmanager', [
      { _from: [taskManagers], ports: [tcp(RPC_PORT)] },
      { _from: [operator], ports: [tcp(REST_PORT)] },
    ]),
    policy(names.taskManagerNetworkPolicy(jobName), 'taskmanager', [{ _from: [taskManagers], ports: [tcp(DATA_PORT)] }]),
  ];
}
