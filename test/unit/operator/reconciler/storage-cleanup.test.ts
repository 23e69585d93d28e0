import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { StreamJob } from '../../../../operator/api/stream-job.ts';
import type { OwnedObjects } from '../../../../operator/controller/reconcile.ts';
import type { EventSpec } from '../../../../operator/lifecycle/decision.ts';
import type { EventRecorder } from '../../../../operator/reconciler/event-recorder.ts';
import type { KubeObjects } from '../../../../operator/reconciler/kube-objects.ts';
import { cleanUpStorage, storageCleanupAttempt } from '../../../../operator/reconciler/storage-cleanup.ts';
import { storageCleanupPod } from '../../../../operator/resources/storage-cleanup-pod.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

const uid = '6f1c0000-0000-4000-8000-000000000001';

/** What one call did: objects created and deleted, events recorded. */
function world(pods: V1Pod[]) {
  const created: KubernetesObject[] = [];
  const deleted: string[] = [];
  const events: EventSpec[] = [];
  const kube = { create: async (o: KubernetesObject) => void created.push(o), delete: async (o: KubernetesObject) => void deleted.push(o.metadata!.name!) } as unknown as KubeObjects;
  const recorder = { record: async (_job: StreamJob, e: EventSpec) => void events.push(e) } as unknown as EventRecorder;
  const owned = { pods, services: [], configMaps: [], networkPolicies: [] } as unknown as OwnedObjects;
  return { kube, recorder, owned, created, deleted, events };
}

const job = exampleStreamJob((j) => (j.status = { run: { number: 2, specHash: 'h', startTime: '2026-11-25T12:00:00Z' } }));
const pod = (status: V1Pod['status']): V1Pod => ({ ...storageCleanupPod(job, [`${uid}-`]), status });

describe('the finalizer\'s storage cleanup', () => {
  it('creates the cleanup pod, waits while it runs, and is done once it succeeded (the pod goes with the StreamJob)', async () => {
    let w = world([]);
    expect(await cleanUpStorage(w.kube, job, w.owned, w.recorder)).toBe(false);
    expect(w.created.map((o) => o.metadata!.name)).toEqual(['wordcount-storage-cleanup']);
    w = world([pod({ phase: 'Running', containerStatuses: [{ name: 'cleanup', ready: true, restartCount: 0, image: 'i', imageID: '', state: { running: {} } }] })]);
    expect(await cleanUpStorage(w.kube, job, w.owned, w.recorder)).toBe(false);
    w = world([pod({ phase: 'Succeeded', containerStatuses: [{ name: 'cleanup', ready: false, restartCount: 0, image: 'i', imageID: '', state: { terminated: { exitCode: 0 } } }] })]);
    expect(await cleanUpStorage(w.kube, job, w.owned, w.recorder)).toBe(true);
    expect([w.created, w.deleted, w.events]).toEqual([[], [], [{ type: 'Normal', reason: 'StorageCleanedUp', message: `Deleted from storage (checkpointing.deletionPolicy): ${uid}-` }]]);
  });

  it('runs a failed attempt again in a new pod (the failed one stays for its logs), and gives up after three, files left', async () => {
    const failed = (attempt: number) => ({
      ...storageCleanupPod(job, [`${uid}-`], attempt),
      status: { phase: 'Failed', containerStatuses: [{ name: 'cleanup', ready: false, restartCount: 0, image: 'i', imageID: '', state: { terminated: { exitCode: 1, message: 'sluice: S3 bucket "checkpoints": AccessDenied' } } }] },
    });
    let w = world([failed(1)]);
    expect(await cleanUpStorage(w.kube, job, w.owned, w.recorder)).toBe(false);
    expect([w.created.map((o) => o.metadata!.name), w.deleted]).toEqual([['wordcount-storage-cleanup-2'], []]);
    expect(w.events).toEqual([{ type: 'Warning', reason: 'StorageCleanupFailed', message: 'Attempt 1 of 3: pod wordcount-storage-cleanup (sluice cleanup) failed (exit code 1): sluice: S3 bucket "checkpoints": AccessDenied; trying again' }]);
    w = world([failed(1), failed(2)]);
    expect(await cleanUpStorage(w.kube, job, w.owned, w.recorder)).toBe(false);
    expect(w.created.map((o) => o.metadata!.name)).toEqual(['wordcount-storage-cleanup-3']);
    w = world([failed(1), failed(3), failed(2)]);
    expect(await cleanUpStorage(w.kube, job, w.owned, w.recorder)).toBe(true);
    expect([w.created, w.deleted]).toEqual([[], []]);
    expect(w.events).toEqual([
      {
        type: 'Warning',
        reason: 'StorageCleanupSkipped',
        message: `Nothing deleted from storage, ${uid}- left in place: 3 attempts failed, the last: pod wordcount-storage-cleanup-3 (sluice cleanup) failed (exit code 1): sluice: S3 bucket "checkpoints": AccessDenied`,
      },
    ]);
  });

  it('gives up at once (files left) when the pod cannot configure its container', async () => {
    const w = world([pod({ phase: 'Pending', containerStatuses: [{ name: 'cleanup', ready: false, restartCount: 0, image: 'i', imageID: '', state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "minio-creds" not found' } } }] })]);
    expect(await cleanUpStorage(w.kube, job, w.owned, w.recorder)).toBe(true);
    expect(w.events).toEqual([{ type: 'Warning', reason: 'StorageCleanupSkipped', message: `Nothing deleted from storage, ${uid}- left in place: pod wordcount-storage-cleanup cannot start: secret "minio-creds" not found` }]);
  });

  it('knows its pods by name: attempt 1 and later attempts, nothing else', () => {
    expect(['wordcount-storage-cleanup', 'wordcount-storage-cleanup-2', 'wordcount-storage-cleanup-x', 'wordcount-storage-cleanup-1', 'wordcount-jobmanager'].map((name) => storageCleanupAttempt(job, { metadata: { name } }))).toEqual([1, 2, undefined, undefined, undefined]);
  });

  it('has nothing to do for a StreamJob that never deployed a run, or retains everything', async () => {
    const w = world([]);
    expect(await cleanUpStorage(w.kube, exampleStreamJob(), w.owned, w.recorder)).toBe(true);
    const retained = exampleStreamJob((j) => {
      j.status = job.status;
      j.spec.checkpointing.deletionPolicy = { checkpoints: 'Retain', savepoints: 'Retain' };
    });
    expect(await cleanUpStorage(w.kube, retained, w.owned, w.recorder)).toBe(true);
    expect(w.created).toEqual([]);
  });
});
