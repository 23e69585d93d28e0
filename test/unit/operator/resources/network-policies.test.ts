import { describe, it, expect } from '@jest/globals';
import { networkPolicies } from '../../../../operator/resources/network-policies.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

const labels = (component: string) => ({ 'app.kubernetes.io/managed-by': 'sluice-operator', 'sluice.dev/job': 'wordcount', 'sluice.dev/component': component });
const owner = { apiVersion: 'sluice.dev/v1alpha1', kind: 'StreamJob', name: 'wordcount', uid: '6f1c0000-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true };

// In client-node's model (`_from`, written `from` on the wire: the e2e test reads them back from the API server).
describe('the NetworkPolicies of a StreamJob', () => {
  const [jobManager, taskManager] = networkPolicies(exampleStreamJob(), 'sluice-system');

  it('lets only the job\'s TaskManagers reach the JobManager\'s RPC port, and only the operator\'s namespace its REST port', () => {
    const { annotations, ...metadata } = jobManager!.metadata!;
    expect(metadata).toEqual({ name: 'wordcount-jobmanager', namespace: 'streaming', labels: labels('jobmanager'), ownerReferences: [owner] });
    expect(annotations!['sluice.dev/object-hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(jobManager!.spec).toEqual({
      podSelector: { matchLabels: labels('jobmanager') },
      policyTypes: ['Ingress'],
      ingress: [
        { _from: [{ podSelector: { matchLabels: labels('taskmanager') } }], ports: [{ protocol: 'TCP', port: 6123 }] },
        { _from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sluice-system' } } }], ports: [{ protocol: 'TCP', port: 8081 }] },
      ],
    });
  });

  it('lets only the job\'s TaskManagers reach a TaskManager\'s data port; egress stays open', () => {
    expect(taskManager!.metadata!.name).toBe('wordcount-taskmanager');
    expect(taskManager!.spec).toEqual({
      podSelector: { matchLabels: labels('taskmanager') },
      policyTypes: ['Ingress'],
      ingress: [{ _from: [{ podSelector: { matchLabels: labels('taskmanager') } }], ports: [{ protocol: 'TCP', port: 6121 }] }],
    });
  });

  it('is the same for every run, and follows the operator\'s namespace', () => {
    expect(networkPolicies(exampleStreamJob(), 'sluice-system')).toEqual([jobManager, taskManager]);
    const [other] = networkPolicies(exampleStreamJob(), 'ops');
    expect(other!.metadata!.annotations).not.toEqual(jobManager!.metadata!.annotations);
  });
});
