import { describe, it, expect } from '@jest/globals';
import { parse } from 'yaml';
import { desiredObjects } from '../../../../operator/resources/desired-objects.ts';
import { mergePodTemplate } from '../../../../operator/resources/pod-template-merge.ts';
import { configurationEnv } from '../../../../operator/resources/runtime-config.ts';
import { specHash } from '../../../../operator/resources/spec-hash.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

const owner = {
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'StreamJob',
  name: 'wordcount',
  uid: '6f1c0000-0000-4000-8000-000000000001',
  controller: true,
  blockOwnerDeletion: true,
};
const run = { number: 3, specHash: '0123456789abcdef', restorePath: 's3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1' };
const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });
const secretKey = (key: string) => ({ name: key, valueFrom: { secretKeyRef: { name: 'minio-creds', key } } });

describe('desired objects of the example StreamJob', () => {
  const objects = desiredObjects(exampleStreamJob(), run);

  it('renders the runtime configuration into the ConfigMap, with the run\'s job id and restore path', () => {
    expect(objects.configMap.metadata).toMatchObject({
      name: 'wordcount-config',
      namespace: 'streaming',
      labels: { 'app.kubernetes.io/managed-by': 'sluice-operator', 'sluice.dev/job': 'wordcount' },
      ownerReferences: [owner],
    });
    expect(parse(objects.configMap.data!['sluice.yaml']!)).toEqual({
      job: {
        id: '6f1c0000-0000-4000-8000-000000000001-3',
        name: 'wordcount',
        namespace: 'streaming',
        entry: 'examples/wordcount.ts',
        args: ['--unbounded'],
        parallelism: 2,
        maxParallelism: 128,
        allowNonRestoredState: false,
        restoreFrom: 's3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1',
      },
      jobmanager: { address: 'wordcount-jobmanager.streaming.svc', rpcPort: 6123, restPort: 8081 },
      taskmanager: { slots: 1, dataPort: 6121 },
      restartStrategy: { type: 'exponential-delay', initialDelay: '1s', maxDelay: '30s' },
      checkpointing: {
        interval: '5s',
        mode: 'exactly-once',
        timeout: '1m',
        retained: 3,
        storage: { s3: { bucket: 'checkpoints', prefix: 'sluice', endpoint: 'http://minio.minio:9000', region: 'us-east-1', forcePathStyle: true } },
        // Older runs of this StreamJob are deleted once run 3 checkpointed, but for the savepoint it starts from.
        olderRuns: { runIdPrefix: '6f1c0000-0000-4000-8000-000000000001-', keep: ['s3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1'] },
      },
      security: { runKeyFile: '/etc/sluice/run-key/run-key' },
    });
  });

  it('builds a headless Service for the JobManager that publishes addresses before readiness', () => {
    expect(objects.service.metadata!.name).toBe('wordcount-jobmanager');
    expect(objects.service.metadata!.ownerReferences).toEqual([owner]);
    expect(objects.service.spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      ports: [
        { name: 'rpc', port: 6123, targetPort: 6123 },
        { name: 'rest', port: 8081, targetPort: 8081 },
      ],
      selector: { 'app.kubernetes.io/managed-by': 'sluice-operator', 'sluice.dev/job': 'wordcount', 'sluice.dev/component': 'jobmanager' },
    });
  });

  it('builds one TaskManager pod per replica, exactly', () => {
    expect(objects.taskManagers.map((p) => p.metadata!.name)).toEqual(['wordcount-taskmanager-0', 'wordcount-taskmanager-1']);
    const pod = objects.taskManagers[1]!;
    const { 'sluice.dev/object-hash': hash, ...annotations } = pod.metadata!.annotations!;
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(annotations).toEqual({ 'sluice.dev/spec-hash': '0123456789abcdef', 'sluice.dev/run': '3' });
    expect(pod.metadata!.labels).toEqual({ 'app.kubernetes.io/managed-by': 'sluice-operator', 'sluice.dev/job': 'wordcount', 'sluice.dev/component': 'taskmanager' });
    expect(pod.metadata!.ownerReferences).toEqual([owner]);
    expect(pod.spec).toEqual({
      automountServiceAccountToken: false,
      dnsPolicy: 'ClusterFirst',
      hostNetwork: false,
      restartPolicy: 'Always',
      setHostnameAsFQDN: false,
      terminationGracePeriodSeconds: 30,
      securityContext: { fsGroup: 10001, fsGroupChangePolicy: 'Always', runAsGroup: 10001, runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [
        { name: 'config', configMap: { name: 'wordcount-config' } },
        { name: 'run-key', secret: { secretName: 'wordcount-run-3-key', defaultMode: 0o400, items: [{ key: 'run-key', path: 'run-key' }] } },
        { name: 'tmp', emptyDir: {} },
      ],
      containers: [
        {
          name: 'taskmanager',
          image: 'ghcr.io/sluice-dev/sluice-runtime:0.1.0',
          imagePullPolicy: 'IfNotPresent',
          command: ['node', 'runtime/cli/bin.js', 'taskmanager', '--config', '/etc/sluice/config/sluice.yaml'],
          ports: [{ containerPort: 6121, name: 'data' }],
          env: [
            field('POD_NAME', 'metadata.name'),
            field('POD_NAMESPACE', 'metadata.namespace'),
            field('POD_IP', 'status.podIP'),
            { name: 'SLUICE_TASKMANAGER__ID', value: '$(POD_NAME)' },
            { name: 'SLUICE_TASKMANAGER__BIND_ADDRESS', value: '$(POD_IP)' },
            { name: 'SLUICE_TASKMANAGER__ADVERTISED_ADDRESS', value: '$(POD_IP)' },
            secretKey('AWS_ACCESS_KEY_ID'),
            secretKey('AWS_SECRET_ACCESS_KEY'),
          ],
          resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsGroup: 10001,
            runAsNonRoot: true,
            runAsUser: 10001,
          },
          volumeMounts: [
            { mountPath: '/etc/sluice/config', name: 'config', readOnly: true },
            { mountPath: '/etc/sluice/run-key', name: 'run-key', readOnly: true },
            { mountPath: '/tmp', name: 'tmp' },
          ],
        },
      ],
    });
  });

  it('builds the JobManager pod with its ports, readiness probe on /healthz, resources and bind address', () => {
    const container = objects.jobManager.spec!.containers[0]!;
    expect(objects.jobManager.metadata!.name).toBe('wordcount-jobmanager');
    expect(container.command).toEqual(['node', 'runtime/cli/bin.js', 'jobmanager', '--config', '/etc/sluice/config/sluice.yaml']);
    expect(container.ports).toEqual([
      { containerPort: 6123, name: 'rpc' },
      { containerPort: 8081, name: 'rest' },
    ]);
    expect(container.readinessProbe).toEqual({ failureThreshold: 3, periodSeconds: 2, httpGet: { path: '/healthz', port: 8081, scheme: 'HTTP' } });
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '250m', memory: '256Mi' } });
    expect(container.env!.slice(3)).toEqual([{ name: 'SLUICE_JOBMANAGER__BIND_ADDRESS', value: '$(POD_IP)' }, secretKey('AWS_ACCESS_KEY_ID'), secretKey('AWS_SECRET_ACCESS_KEY')]);
  });

  it('leaves out the restore path of a run that starts empty, and resources not asked for', () => {
    const empty = desiredObjects(
      exampleStreamJob((job) => {
        delete job.spec.taskManager.resources;
        delete job.spec.checkpointing.storage.s3!.credentialsSecret;
      }),
      { number: 1, specHash: 'x' },
    );
    expect(parse(empty.configMap.data!['sluice.yaml']!).job).not.toHaveProperty('restoreFrom');
    expect(empty.taskManagers[0]!.spec!.containers[0]).not.toHaveProperty('resources');
    expect(empty.taskManagers[0]!.spec!.containers[0]!.env!.map((e) => e.name)).not.toContain('AWS_ACCESS_KEY_ID');
  });

  it('passes spec.configuration to every process as SLUICE_ variables', () => {
    expect(configurationEnv({ 'network.bufferTimeout': '5ms', 'checkpointing.storage.s3.forcePathStyle': 'true' })).toEqual([
      { name: 'SLUICE_CHECKPOINTING__STORAGE__S3__FORCE_PATH_STYLE', value: 'true' },
      { name: 'SLUICE_NETWORK__BUFFER_TIMEOUT', value: '5ms' },
    ]);
  });

  it('changes the object hash with the run, so pods of an older run are replaced', () => {
    const next = desiredObjects(exampleStreamJob(), { ...run, number: 4 });
    const hash = (o: { metadata?: { annotations?: Record<string, string> } }) => o.metadata!.annotations!['sluice.dev/object-hash'];
    expect(hash(next.jobManager)).not.toBe(hash(objects.jobManager));
    expect(hash(next.configMap)).not.toBe(hash(objects.configMap));
    expect(hash(desiredObjects(exampleStreamJob(), run).jobManager)).toBe(hash(objects.jobManager));
  });
});

describe('podTemplate merge', () => {
  it('adds the template\'s fields, sidecars, env and labels after the operator\'s own, which win', () => {
    const job = exampleStreamJob((j) => {
      j.spec.taskManager.podTemplate = {
        metadata: { labels: { team: 'data', 'sluice.dev/job': 'hijack' }, annotations: { note: 'x' } },
        spec: {
          nodeSelector: { disk: 'ssd' },
          restartPolicy: 'Never',
          containers: [
            { name: 'taskmanager', image: 'other', env: [{ name: 'EXTRA', value: '1' }], volumeMounts: [{ name: 'data', mountPath: '/data' }] },
            { name: 'sidecar', image: 'busybox' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      };
    });
    const pod = desiredObjects(job, run).taskManagers[0]!;
    expect(pod.metadata!.labels).toEqual({ team: 'data', 'app.kubernetes.io/managed-by': 'sluice-operator', 'sluice.dev/job': 'wordcount', 'sluice.dev/component': 'taskmanager' });
    expect(pod.metadata!.annotations!.note).toBe('x');
    expect(pod.spec!.nodeSelector).toEqual({ disk: 'ssd' });
    expect(pod.spec!.restartPolicy).toBe('Always');
    expect(pod.spec!.containers.map((c) => c.name)).toEqual(['taskmanager', 'sidecar']);
    const main = pod.spec!.containers[0]!;
    expect(main.image).toBe('ghcr.io/sluice-dev/sluice-runtime:0.1.0');
    expect(main.env!.map((e) => e.name)).toEqual([
      'POD_NAME', 'POD_NAMESPACE', 'POD_IP', 'SLUICE_TASKMANAGER__ID', 'SLUICE_TASKMANAGER__BIND_ADDRESS', 'SLUICE_TASKMANAGER__ADVERTISED_ADDRESS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'EXTRA',
    ]);
    expect(main.volumeMounts!.map((m) => m.mountPath)).toEqual(['/etc/sluice/config', '/etc/sluice/run-key', '/tmp', '/data']);
    expect(pod.spec!.volumes!.map((v) => v.name)).toEqual(['config', 'run-key', 'tmp', 'data']);
  });

  it('returns the pod unchanged without a template', () => {
    const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } };
    expect(mergePodTemplate(pod, undefined)).toBe(pod);
  });
});

describe('spec hash', () => {
  it('is stable across key order and ignores the fields that do not redeploy by themselves', () => {
    const base = specHash(exampleStreamJob().spec);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    const reordered = exampleStreamJob((j) => {
      j.spec = Object.fromEntries(Object.entries(j.spec).reverse()) as typeof j.spec;
    });
    expect(specHash(reordered.spec)).toBe(base);
    for (const change of [
      (j: ReturnType<typeof exampleStreamJob>) => (j.spec.job.savepointTriggerNonce = 5),
      (j: ReturnType<typeof exampleStreamJob>) => (j.spec.job.restartNonce = 2),
      (j: ReturnType<typeof exampleStreamJob>) => (j.spec.job.state = 'suspended'),
      (j: ReturnType<typeof exampleStreamJob>) => (j.spec.taskManager.replicas = 7),
      (j: ReturnType<typeof exampleStreamJob>) => (j.spec.job.upgradeMode = 'savepoint'),
      (j: ReturnType<typeof exampleStreamJob>) => (j.spec.job.initialSavepointPath = 's3://b/sp'),
    ]) {
      expect(specHash(exampleStreamJob(change).spec)).toBe(base);
    }
    expect(specHash(exampleStreamJob((j) => (j.spec.job.parallelism = 1)).spec)).not.toBe(base);
    expect(specHash(exampleStreamJob((j) => (j.spec.image = 'other:1')).spec)).not.toBe(base);
  });
});
