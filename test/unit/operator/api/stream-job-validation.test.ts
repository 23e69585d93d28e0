import { describe, it, expect } from '@jest/globals';
import { parse } from 'yaml';
import { validateStreamJob } from '../../../../operator/api/stream-job-validation.ts';
import type { FieldError } from '../../../../operator/api/stream-job-validation.ts';

// The StreamJob from DESIGN.md's Operator section, with the pod templates filled in.
const DESIGN_EXAMPLE = `
apiVersion: sluice.dev/v1alpha1
kind: StreamJob
metadata:
  name: wordcount
  namespace: jobs
  labels: { team: data }
spec:
  image: registry.example.com/my-jobs:1.4.2
  job:
    entry: jobs/wordcount.js
    args: ["--window", "10s"]
    parallelism: 4
    maxParallelism: 128
    state: running
    upgradeMode: last-state
    initialSavepointPath: s3://bucket/sluice/jobs/wordcount/savepoints/sp-1
    savepointTriggerNonce: 0
    restartNonce: 0
  jobManager: { resources: {cpu: 500m, memory: 512Mi}, podTemplate: { metadata: { annotations: { a: b } } } }
  taskManager:
    replicas: 2
    slots: 1
    resources: { cpu: 1, memory: 1Gi }
    podTemplate: { spec: { nodeSelector: { pool: streaming }, tolerations: [{ key: dedicated, operator: Exists }] } }
  checkpointing:
    interval: 10s
    mode: exactly-once
    timeout: 1m
    retained: 3
    storage:
      s3: { endpoint: http://minio.minio:9000, bucket: checkpoints, prefix: sluice,
            region: us-east-1, forcePathStyle: true, credentialsSecret: minio-creds }
  restartStrategy: { type: exponential-delay, initialDelay: 1s, maxDelay: 1m }
`;

/** spec.job.healthCheck as the API server defaults it: the restart check off, checkpoint progress on. */
const HEALTH_CHECK_DEFAULTS = {
  restarts: { enabled: false, threshold: 64, window: '2m' },
  checkpointProgress: { enabled: true },
  redeployBackoff: { initial: '1m', max: '30m' },
};

function minimal(): Record<string, any> {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'StreamJob',
    metadata: { name: 'wc' },
    spec: { image: 'sluice-runtime:dev', job: { entry: 'examples/wordcount.ts' }, checkpointing: { storage: { filesystem: { path: '/data' } } } },
  };
}

function errorsOf(manifest: unknown): FieldError[] {
  const result = validateStreamJob(manifest);
  if (result.valid) throw new Error('expected the manifest to be refused');
  return result.errors;
}

function withSpec(edit: (spec: Record<string, any>) => void): Record<string, any> {
  const manifest = minimal();
  edit(manifest['spec']);
  return manifest;
}

describe('StreamJob schema', () => {
  it('accepts the DESIGN.md example and changes nothing but the unset defaults', () => {
    const manifest = parse(DESIGN_EXAMPLE);
    const result = validateStreamJob(manifest);
    expect(result.valid).toBe(true);
    if (!result.valid) return;
    const expected = structuredClone(manifest);
    expected.spec.job.allowNonRestoredState = false;
    expected.spec.job.rollback = { enabled: false, timeout: '5m' };
    expected.spec.job.healthCheck = HEALTH_CHECK_DEFAULTS;
    expected.spec.job.savepoints = { history: { maxCount: 10 } };
    expected.spec.checkpointing.deletionPolicy = { checkpoints: 'Delete', savepoints: 'Retain' };
    expect(result.streamJob).toEqual(expected);
  });

  it('fills in every default of a minimal manifest', () => {
    const result = validateStreamJob(minimal());
    expect(result.valid).toBe(true);
    if (!result.valid) return;
    expect(result.streamJob.spec).toEqual({
      image: 'sluice-runtime:dev',
      job: {
        entry: 'examples/wordcount.ts',
        parallelism: 1,
        maxParallelism: 128,
        state: 'running',
        upgradeMode: 'last-state',
        allowNonRestoredState: false,
        savepointTriggerNonce: 0,
        restartNonce: 0,
        rollback: { enabled: false, timeout: '5m' },
        healthCheck: HEALTH_CHECK_DEFAULTS,
        savepoints: { history: { maxCount: 10 } },
      },
      jobManager: {},
      // No replicas: TaskManager pods follow the parallelism (operator/resources/task-manager-replicas.ts).
      taskManager: { slots: 1 },
      checkpointing: {
        interval: '10s',
        mode: 'exactly-once',
        timeout: '1m',
        retained: 3,
        deletionPolicy: { checkpoints: 'Delete', savepoints: 'Retain' },
        storage: { filesystem: { path: '/data' } },
      },
      restartStrategy: { type: 'exponential-delay' },
    });
  });

  it('defaults the S3 region and path style', () => {
    const result = validateStreamJob(withSpec((s) => (s['checkpointing'] = { storage: { s3: { bucket: 'checkpoints' } } })));
    expect(result.valid && result.streamJob.spec.checkpointing.storage).toEqual({
      s3: { bucket: 'checkpoints', region: 'us-east-1', forcePathStyle: false },
    });
  });

  it('prunes unknown fields but keeps pod templates and metadata as written', () => {
    const manifest = withSpec((s) => {
      s['surprise'] = true;
      s['job']['paralelism'] = 4;
      s['taskManager'] = { podTemplate: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] }, extra: { kept: 1 } } };
    });
    manifest['metadata'] = { name: 'wc', annotations: { note: 'x' }, finalizers: ['sluice.dev/cleanup'] };
    const result = validateStreamJob(manifest);
    expect(result.valid).toBe(true);
    if (!result.valid) return;
    expect(result.streamJob.spec).not.toHaveProperty('surprise');
    expect(result.streamJob.spec.job).not.toHaveProperty('paralelism');
    expect(result.streamJob.spec.job.parallelism).toBe(1);
    expect(result.streamJob.spec.taskManager).toEqual({
      slots: 1,
      podTemplate: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] }, extra: { kept: 1 } },
    });
    expect(result.streamJob.metadata).toEqual({ name: 'wc', annotations: { note: 'x' }, finalizers: ['sluice.dev/cleanup'] });
  });

  it('accepts integer quantities, compound-free durations and every enum value', () => {
    for (const state of ['running', 'suspended']) for (const upgradeMode of ['stateless', 'last-state', 'savepoint']) {
      expect(validateStreamJob(withSpec((s) => Object.assign(s['job'], { state, upgradeMode }))).valid).toBe(true);
    }
    for (const type of ['none', 'fixed-delay', 'exponential-delay', 'failure-rate']) {
      expect(validateStreamJob(withSpec((s) => (s['restartStrategy'] = { type, delay: '500ms', attempts: 3 }))).valid).toBe(true);
    }
    const quantities = withSpec((s) => (s['jobManager'] = { resources: { cpu: 2, memory: '1.5Gi' } }));
    expect(validateStreamJob(quantities).valid).toBe(true);
    expect(validateStreamJob(withSpec((s) => (s['job']['maxParallelism'] = 32768))).valid).toBe(true);
    expect(validateStreamJob(withSpec((s) => Object.assign(s['job'], { parallelism: 32768, maxParallelism: 32768 }))).valid).toBe(true);
    expect(validateStreamJob(withSpec((s) => (s['taskManager'] = { replicas: 32768, slots: 32768 }))).valid).toBe(true);
    expect(validateStreamJob(withSpec((s) => (s['taskManager'] = { replicas: 0 }))).valid).toBe(true);
  });

  const invalid: Array<[string, (spec: Record<string, any>) => void, FieldError[]]> = [
    ['no image', (s) => delete s['image'], [{ path: 'spec.image', message: 'Required value' }]],
    ['no job entry', (s) => delete s['job']['entry'], [{ path: 'spec.job.entry', message: 'Required value' }]],
    ['an empty job entry', (s) => (s['job']['entry'] = ''), [{ path: 'spec.job.entry', message: 'Invalid value: "": must NOT have fewer than 1 characters' }]],
    ['no checkpointing', (s) => delete s['checkpointing'], [{ path: 'spec.checkpointing', message: 'Required value' }]],
    ['parallelism 0', (s) => (s['job']['parallelism'] = 0), [{ path: 'spec.job.parallelism', message: 'Invalid value: 0: must be >= 1' }]],
    ['a fractional parallelism', (s) => (s['job']['parallelism'] = 1.5), [{ path: 'spec.job.parallelism', message: 'Invalid value: 1.5: must be integer' }]],
    ['maxParallelism above 32768', (s) => (s['job']['maxParallelism'] = 32769), [{ path: 'spec.job.maxParallelism', message: 'Invalid value: 32769: must be <= 32768' }]],
    ['maxParallelism 0', (s) => (s['job']['maxParallelism'] = 0), [{ path: 'spec.job.maxParallelism', message: 'Invalid value: 0: must be >= 1' }]],
    ['parallelism above 32768', (s) => (s['job']['parallelism'] = 32769), [{ path: 'spec.job.parallelism', message: 'Invalid value: 32769: must be <= 32768' }]],
    ['replicas above 32768', (s) => (s['taskManager'] = { replicas: 1e9 }), [{ path: 'spec.taskManager.replicas', message: 'Invalid value: 1000000000: must be <= 32768' }]],
    ['slots above 32768', (s) => (s['taskManager'] = { slots: 32769 }), [{ path: 'spec.taskManager.slots', message: 'Invalid value: 32769: must be <= 32768' }]],
    ['a duration longer than its 32 characters', (s) => (s['checkpointing']['interval'] = `${'9'.repeat(40)}ms`),
      [{ path: 'spec.checkpointing.interval', message: `Invalid value: "${'9'.repeat(40)}ms": must NOT have more than 32 characters` }]],
    ['an unknown state', (s) => (s['job']['state'] = 'paused'),
      [{ path: 'spec.job.state', message: 'Unsupported value: "paused": supported values: "running", "suspended"' }]],
    ['an unknown upgradeMode', (s) => (s['job']['upgradeMode'] = 'last_state'),
      [{ path: 'spec.job.upgradeMode', message: 'Unsupported value: "last_state": supported values: "stateless", "last-state", "savepoint"' }]],
    ['a string nonce', (s) => (s['job']['restartNonce'] = 'x'), [{ path: 'spec.job.restartNonce', message: 'Invalid value: "x": must be integer' }]],
    ['negative replicas', (s) => (s['taskManager'] = { replicas: -1 }), [{ path: 'spec.taskManager.replicas', message: 'Invalid value: -1: must be >= 0' }]],
    ['zero slots', (s) => (s['taskManager'] = { slots: 0 }), [{ path: 'spec.taskManager.slots', message: 'Invalid value: 0: must be >= 1' }]],
    ['a cpu that is no quantity', (s) => (s['taskManager'] = { resources: { cpu: 'lots' } }),
      [{ path: 'spec.taskManager.resources.cpu', message: `Invalid value: "lots": must match pattern "${'^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'}"` }]],
    ['a memory of another type', (s) => (s['jobManager'] = { resources: { memory: true } }),
      [
        { path: 'spec.jobManager.resources.memory', message: 'Invalid value: true: must be integer' },
        { path: 'spec.jobManager.resources.memory', message: 'Invalid value: true: must be string' },
        { path: 'spec.jobManager.resources.memory', message: 'Invalid value: true: must match a schema in anyOf' },
      ]],
    ['a duration without unit', (s) => (s['checkpointing']['interval'] = '10'),
      [{ path: 'spec.checkpointing.interval', message: 'Invalid value: "10": must match pattern "^[0-9]+(ms|s|m|h)$"' }]],
    ['a duration in words', (s) => (s['restartStrategy'] = { maxDelay: '1 minute' }),
      [{ path: 'spec.restartStrategy.maxDelay', message: 'Invalid value: "1 minute": must match pattern "^[0-9]+(ms|s|m|h)$"' }]],
    ['an unknown checkpointing mode', (s) => (s['checkpointing']['mode'] = 'exactly_once'),
      [{ path: 'spec.checkpointing.mode', message: 'Unsupported value: "exactly_once": supported values: "exactly-once", "at-least-once"' }]],
    ['retained 0', (s) => (s['checkpointing']['retained'] = 0), [{ path: 'spec.checkpointing.retained', message: 'Invalid value: 0: must be >= 1' }]],
    ['no storage', (s) => (s['checkpointing']['storage'] = {}),
      [{ path: 'spec.checkpointing.storage', message: 'Invalid value: Where checkpoints and savepoints are written: exactly one of s3 or filesystem.' }]],
    ['two storages', (s) => (s['checkpointing']['storage']['s3'] = { bucket: 'abc' }),
      [{ path: 'spec.checkpointing.storage', message: 'Invalid value: Where checkpoints and savepoints are written: exactly one of s3 or filesystem.' }]],
    ['a relative filesystem path', (s) => (s['checkpointing']['storage'] = { filesystem: { path: 'data' } }),
      [{ path: 'spec.checkpointing.storage.filesystem.path', message: 'Invalid value: "data": must match pattern "^/"' }]],
    ['an S3 storage without bucket', (s) => (s['checkpointing']['storage'] = { s3: { region: 'eu-west-1' } }),
      [{ path: 'spec.checkpointing.storage.s3.bucket', message: 'Required value' }]],
    ['a credentialsSecret that is no object name', (s) => (s['checkpointing']['storage'] = { s3: { bucket: 'abc', credentialsSecret: 'Minio_Creds' } }),
      [{ path: 'spec.checkpointing.storage.s3.credentialsSecret', message: `Invalid value: "Minio_Creds": must match pattern "${'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'}"` }]],
    ['an endpoint that is no URL', (s) => (s['checkpointing']['storage'] = { s3: { bucket: 'abc', endpoint: 'minio:9000' } }),
      [{ path: 'spec.checkpointing.storage.s3.endpoint', message: 'Invalid value: "minio:9000": must match pattern "^https?://[^\\s/]+"' }]],
    ['an unknown restart strategy', (s) => (s['restartStrategy'] = { type: 'fixed' }),
      [{ path: 'spec.restartStrategy.type', message: 'Unsupported value: "fixed": supported values: "none", "fixed-delay", "exponential-delay", "failure-rate"' }]],
    ['a backoff multiplier below 1', (s) => (s['restartStrategy'] = { backoffMultiplier: 0.5 }),
      [{ path: 'spec.restartStrategy.backoffMultiplier', message: 'Invalid value: 0.5: must be >= 1' }]],
    ['a configuration value that is no string', (s) => (s['configuration'] = { 'network.buffer': 4 }),
      [{ path: 'spec.configuration.network.buffer', message: 'Invalid value: 4: must be string' }]],
  ];

  it.each(invalid)('refuses %s, naming the field', (_name, edit, expected) => {
    expect(errorsOf(withSpec(edit))).toEqual(expected);
  });

  it('refuses names that cannot become pod and Service names', () => {
    const long = minimal();
    long['metadata']['name'] = 'a'.repeat(46);
    expect(errorsOf(long)).toEqual([{ path: 'metadata.name', message: `Invalid value: "${'a'.repeat(46)}": must NOT have more than 45 characters` }]);
    const digit = minimal();
    digit['metadata']['name'] = '1job';
    expect(errorsOf(digit)).toEqual([{ path: 'metadata.name', message: 'Invalid value: "1job": must match pattern "^[a-z]([-a-z0-9]*[a-z0-9])?$"' }]);
  });

  it('reports every problem at once, and refuses what is not an object', () => {
    const manifest = withSpec((s) => {
      s['job'] = { parallelism: 0 };
      delete s['image'];
    });
    expect(errorsOf(manifest)).toEqual([
      { path: 'spec.image', message: 'Required value' },
      { path: 'spec.job.entry', message: 'Required value' },
      { path: 'spec.job.parallelism', message: 'Invalid value: 0: must be >= 1' },
    ]);
    expect(errorsOf([])).toEqual([{ path: '', message: 'must be an object' }]);
    expect(errorsOf({ apiVersion: 'sluice.dev/v1alpha1', kind: 'StreamJob', spec: minimal()['spec'] })).toEqual([{ path: 'metadata', message: 'Required value' }]);
  });

  it('accepts a status as the operator writes it and refuses a malformed condition', () => {
    const status = {
      phase: 'Running',
      observedGeneration: 3,
      conditions: [
        { type: 'Ready', status: 'True', reason: 'JobRunning', message: 'All pods ready', lastTransitionTime: '2026-11-25T13:00:00Z', observedGeneration: 3 },
        { type: 'CheckpointHealthy', status: 'Unknown', reason: 'NoCheckpointYet', message: '', lastTransitionTime: '2026-11-25T13:00:00Z' },
      ],
      jobId: '5d7c-3',
      jobManager: { ready: true, restUrl: 'http://wc-jobmanager.jobs:8081' },
      taskManagers: { desired: 2, ready: 2, selector: 'sluice.dev/job=wc,sluice.dev/component=taskmanager' },
      lastCheckpoint: { id: 42, path: 's3://checkpoints/sluice/jobs/wc/5d7c-3/checkpoints/chk-42', time: '2026-11-25T13:01:00Z' },
      savepoints: {
        last: { path: 's3://checkpoints/sluice/jobs/wc/savepoints/sp-1', time: '2026-11-25T12:00:00Z', trigger: 'manual', triggerNonce: 1 },
        history: [{ path: 's3://checkpoints/sluice/jobs/wc/savepoints/sp-1', time: '2026-11-25T12:00:00Z', trigger: 'manual', triggerNonce: 1 }],
        observedTriggerNonce: 1,
      },
      restarts: 1,
      lastFailure: { time: '2026-11-25T12:30:00Z', reason: 'TaskManagerLost', message: 'wc-taskmanager-1 stopped heartbeating' },
      run: { number: 3, specHash: 'abc123', restorePath: 's3://checkpoints/sluice/jobs/wc/5d7c-2/checkpoints/chk-40', startTime: '2026-11-25T12:31:00Z' },
      upgrade: { step: 'Stopping', targetSpecHash: 'def456', savepointTriggerId: 't-1', startTime: '2026-11-25T13:02:00Z' },
    };
    const result = validateStreamJob({ ...minimal(), status });
    expect(result.valid && result.streamJob.status).toEqual(status);
    const bad = { ...minimal(), status: { phase: 'Exploded', conditions: [{ type: 'Ready', status: 'Yes', reason: 'not a word', message: 'x', lastTransitionTime: 'yesterday' }] } };
    expect(errorsOf(bad)).toEqual([
      { path: 'status.phase', message: 'Unsupported value: "Exploded": supported values: "Pending", "Deploying", "Running", "Upgrading", "Suspended", "Failed", "Finished", "RolledBack"' },
      { path: 'status.conditions.0.status', message: 'Unsupported value: "Yes": supported values: "True", "False", "Unknown"' },
      { path: 'status.conditions.0.lastTransitionTime', message: 'Invalid value: "yesterday": must match format "date-time"' },
      { path: 'status.conditions.0.reason', message: 'Invalid value: "not a word": must match pattern "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"' },
    ]);
  });
});
