import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { pino } from 'pino';
import { EventRecorder } from '../../../operator/reconciler/event-recorder.ts';
import { KubeObjects } from '../../../operator/reconciler/kube-objects.ts';
import { exampleStreamJob } from '../../support/stream-job-fixture.ts';
import { useCluster, type E2eCluster } from '../support/cluster.ts';

// Events written to the real API server, deduplicated as client-go's recorder does.
let cluster: E2eCluster;

beforeAll(async () => {
  cluster = await useCluster('e2e-operator-events');
});

afterAll(() => cluster?.release());

describe('EventRecorder', () => {
  it('counts a repeated event on one Event object and creates another for a new message', async () => {
    const job = exampleStreamJob((j) => (j.metadata = { ...j.metadata, namespace: cluster.namespace }));
    let clock = new Date('2026-11-25T12:00:00Z');
    const recorder = new EventRecorder(new KubeObjects(cluster.kc, { isLeader: () => true }), pino({ level: 'silent' }), 'operator-a', () => clock);
    await recorder.record(job, { type: 'Warning', reason: 'SavepointFailed', message: 'HTTP 500' });
    clock = new Date('2026-11-25T12:00:05Z');
    await recorder.record(job, { type: 'Warning', reason: 'SavepointFailed', message: 'HTTP 500' });
    await recorder.record(job, { type: 'Normal', reason: 'Deploying', message: 'Deploying the first run' });
    const events = (await cluster.core.listNamespacedEvent({ namespace: cluster.namespace, fieldSelector: 'involvedObject.name=wordcount' })).items;
    const summary = events
      .map((e) => ({ type: e.type, reason: e.reason, message: e.message, count: e.count, first: e.firstTimestamp?.toISOString(), last: e.lastTimestamp?.toISOString(), uid: e.involvedObject.uid, source: e.source?.component }))
      .sort((a, b) => a.reason!.localeCompare(b.reason!));
    expect(summary).toEqual([
      { type: 'Normal', reason: 'Deploying', message: 'Deploying the first run', count: 1, first: '2026-11-25T12:00:05.000Z', last: '2026-11-25T12:00:05.000Z', uid: job.metadata.uid, source: 'sluice-operator' },
      { type: 'Warning', reason: 'SavepointFailed', message: 'HTTP 500', count: 2, first: '2026-11-25T12:00:00.000Z', last: '2026-11-25T12:00:05.000Z', uid: job.metadata.uid, source: 'sluice-operator' },
    ]);
  });
});
