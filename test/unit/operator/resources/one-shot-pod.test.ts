import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { oneShotOutcome, oneShotPod } from '../../../../operator/resources/one-shot-pod.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

describe('oneShotPod', () => {
  const job = exampleStreamJob((j) => {
    j.spec.configuration = { 'network.bufferTimeout': '5ms' };
    j.spec.jobManager.podTemplate = {
      spec: { serviceAccountName: 'jobs', nodeSelector: { pool: 'streaming' }, containers: [{ name: 'sidecar', image: 'proxy' }] },
    };
  });
  const pod = oneShotPod(job, {
    name: 'wordcount-plan-abc',
    component: 'plan',
    args: ['plan', '--from', 's3://checkpoints/x/chk-3'],
    config: { job: { entry: 'examples/wordcount.ts', args: ['--unbounded'], parallelism: 2 }, checkpointing: { storage: { s3: { bucket: 'checkpoints', forcePathStyle: true } } } },
    annotations: { 'sluice.dev/spec-hash': 'h1' },
    activeDeadlineSeconds: 300,
  });

  it('runs the sluice command once in the job image, owned by the StreamJob', () => {
    expect(pod.metadata).toEqual({
      name: 'wordcount-plan-abc',
      namespace: 'streaming',
      labels: { 'app.kubernetes.io/managed-by': 'sluice-operator', 'sluice.dev/job': 'wordcount', 'sluice.dev/component': 'plan' },
      annotations: { 'sluice.dev/spec-hash': 'h1' },
      ownerReferences: [
        { apiVersion: 'sluice.dev/v1alpha1', kind: 'StreamJob', name: 'wordcount', uid: '6f1c0000-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true },
      ],
    });
    const container = pod.spec!.containers[0]!;
    expect(pod.spec!.restartPolicy).toBe('Never');
    expect(pod.spec!.activeDeadlineSeconds).toBe(300);
    expect(container.image).toBe(job.spec.image);
    expect(container.command).toEqual(['node', 'runtime/cli/bin.js', 'plan', '--from', 's3://checkpoints/x/chk-3']);
    expect(container.terminationMessagePath).toBe('/dev/termination-log');
    expect(container.terminationMessagePolicy).toBe('FallbackToLogsOnError');
  });

  it('passes the configuration as SLUICE_ variables and the credentials by Secret reference', () => {
    expect(pod.spec!.containers[0]!.env).toEqual([
      { name: 'SLUICE_CHECKPOINTING__STORAGE__S3__BUCKET', value: 'checkpoints' },
      { name: 'SLUICE_CHECKPOINTING__STORAGE__S3__FORCE_PATH_STYLE', value: 'true' },
      { name: 'SLUICE_JOB__ARGS', value: '["--unbounded"]' },
      { name: 'SLUICE_JOB__ENTRY', value: 'examples/wordcount.ts' },
      { name: 'SLUICE_JOB__PARALLELISM', value: '2' },
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'minio-creds', key: 'AWS_ACCESS_KEY_ID' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'minio-creds', key: 'AWS_SECRET_ACCESS_KEY' } } },
      { name: 'SLUICE_NETWORK__BUFFER_TIMEOUT', value: '5ms' },
    ]);
  });

  it('runs restricted, without a service-account token, placed as the JobManager but without its sidecars', () => {
    const spec = pod.spec!;
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.securityContext).toEqual({ runAsUser: 10001, runAsGroup: 10001, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.containers[0]!.securityContext).toEqual({
      runAsUser: 10001,
      runAsGroup: 10001,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(spec.serviceAccountName).toBe('jobs');
    expect(spec.nodeSelector).toEqual({ pool: 'streaming' });
    expect(spec.containers.map((c) => c.name)).toEqual(['plan']);
  });
});

describe('oneShotOutcome', () => {
  const withStatus = (status: V1Pod['status']): V1Pod => ({ metadata: { name: 'p' }, status });

  it('is undefined while the container runs', () => {
    expect(oneShotOutcome(withStatus({ phase: 'Running', containerStatuses: [{ name: 'plan', image: 'i', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] }))).toBeUndefined();
  });

  it('is the exit code and termination message once the container ended', () => {
    const terminated = { exitCode: 3, reason: 'Error', message: '{"safe":false}' };
    expect(oneShotOutcome(withStatus({ phase: 'Failed', containerStatuses: [{ name: 'plan', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated } }] }))).toEqual({
      exitCode: 3,
      message: '{"safe":false}',
      reason: 'Error',
    });
  });

  it('names why Kubernetes ended a pod whose container never ran', () => {
    expect(oneShotOutcome(withStatus({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' }))).toEqual({
      exitCode: -1,
      message: 'Pod was active on the node longer than the specified deadline',
      reason: 'DeadlineExceeded',
    });
  });
});
