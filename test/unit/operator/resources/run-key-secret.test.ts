import { describe, it, expect } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { parseRunKey } from '../../../../runtime/rest/run-key.ts';
import { runKey, runKeySecret } from '../../../../operator/resources/run-key-secret.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

const operatorKey = Buffer.alloc(32, 7);

describe('a run\'s key Secret', () => {
  const job = exampleStreamJob();
  const key = runKey(operatorKey, job, 3);

  it('holds the key derived from the operator\'s key and the run\'s job id', () => {
    const expected = createHmac('sha256', operatorKey).update(`sluice/run-key/${job.metadata.uid}-3`).digest();
    expect(key).toEqual(expected);
    const secret = runKeySecret(job, 3, key);
    expect(parseRunKey(secret.stringData!['run-key']!)).toEqual(expected);
    expect(secret.stringData!['run-key']).toBe(expected.toString('hex'));
  });

  it('is named after the run, immutable, labelled and owned by the StreamJob', () => {
    const secret = runKeySecret(job, 3, key);
    expect({ ...secret, stringData: undefined }).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'wordcount-run-3-key',
        namespace: 'streaming',
        labels: { 'app.kubernetes.io/managed-by': 'sluice-operator', 'sluice.dev/job': 'wordcount' },
        annotations: { 'sluice.dev/run': '3' },
        ownerReferences: [{ apiVersion: 'sluice.dev/v1alpha1', kind: 'StreamJob', name: 'wordcount', uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      type: 'Opaque',
      immutable: true,
      stringData: undefined,
    });
  });

  it('differs between runs and between operator keys', () => {
    expect(runKey(operatorKey, job, 4)).not.toEqual(key);
    expect(runKey(Buffer.alloc(32, 8), job, 3)).not.toEqual(key);
  });
});
