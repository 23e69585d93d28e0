import { ApiObject, App, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { V1ConfigMap, V1Pod, V1Service } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { PodTemplate } from '../api/stream-job-spec.ts';
import type { StreamJob } from '../api/stream-job.ts';
import { OBJECT_HASH_ANNOTATION, RUN_ANNOTATION, SPEC_HASH_ANNOTATION, jobLabels, names, ownerReference } from './labels.ts';
import type { Component } from './labels.ts';
import { mergePodTemplate } from './pod-template-merge.ts';
import { DATA_PORT, REST_PORT, RPC_PORT, RUN_KEY_DIR, RUN_KEY_FILE, configurationEnv, runtimeConfig, storageCredentialsEnv } from './runtime-config.ts';
import type { RunTarget } from './runtime-config.ts';
import { objectHash } from './spec-hash.ts';
import { taskManagerReplicas } from './task-manager-replicas.ts';

export const CONFIG_FILE = 'sluice.yaml';
export const CONFIG_DIR = '/etc/sluice/config';
export const RUNTIME_USER = 10001;

export interface DesiredRun extends RunTarget {
  specHash: string;
}

/**
 * The objects a StreamJob's run consists of, as a pure function of the StreamJob and the run: a
 * ConfigMap with the runtime configuration, a headless Service for the JobManager, the JobManager pod
 * and one pod per TaskManager. Built with cdk8s-plus-27 and synthesized in memory.
 */
export interface DesiredObjects {
  configMap: V1ConfigMap;
  service: V1Service;
  jobManager: V1Pod;
  taskManagers: V1Pod[];
}

export function desiredObjects(job: StreamJob, run: DesiredRun): DesiredObjects {
  const jobName = job.metadata.name!;
  const chart = new Chart(new App(), jobName, { namespace: job.metadata.namespace!, disableResourceNameHashes: true });
  const metadata = (name: string, component?: Component) => ({
    name,
    labels: jobLabels(jobName, component),
    annotations: { [SPEC_HASH_ANNOTATION]: run.specHash, [RUN_ANNOTATION]: String(run.number) },
    ownerReferences: [ownerReference(job)],
  });

  const configMap = new kplus.ConfigMap(chart, 'config', {
    metadata: metadata(names.configMap(jobName)),
    data: { [CONFIG_FILE]: stringify(runtimeConfig(job, run)) },
  });
  const service = new kplus.Service(chart, 'jobmanager-service', {
    metadata: metadata(names.jobManagerService(jobName), 'jobmanager'),
    clusterIP: 'None',
    ports: [
      { name: 'rpc', port: RPC_PORT, targetPort: RPC_PORT },
      { name: 'rest', port: REST_PORT, targetPort: REST_PORT },
    ],
  });
  for (const [key, value] of Object.entries(jobLabels(jobName, 'jobmanager'))) service.selectLabel(key, value);
  // TaskManagers must reach the JobManager's RPC port while it is still starting (not yet ready).
  ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/publishNotReadyAddresses', true));

  const pod = (id: string, name: string, component: Component, ports: { name: string; number: number }[]) => {
    const built = new kplus.Pod(chart, id, {
      metadata: metadata(name, component),
      restartPolicy: kplus.RestartPolicy.ALWAYS,
      securityContext: { user: RUNTIME_USER, group: RUNTIME_USER, fsGroup: RUNTIME_USER, ensureNonRoot: true },
      containers: [
        {
          name: component,
          image: job.spec.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          // Relative to the runtime image's WORKDIR (/opt/sluice); the sandbox kubelet runs it from the checkout.
          command: ['node', 'runtime/cli/bin.js', component, '--config', `${CONFIG_DIR}/${CONFIG_FILE}`],
          ports: ports.map((p) => ({ name: p.name, number: p.number })),
          securityContext: {
            user: RUNTIME_USER,
            group: RUNTIME_USER,
            ensureNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
          },
          ...(component === 'jobmanager' ? { readiness: kplus.Probe.fromHttpGet('/healthz', { port: REST_PORT, periodSeconds: Duration.seconds(2) }) } : {}),
        },
      ],
    });
    const container = built.containers[0]!;
    container.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(chart, `${id}-config-volume`, configMap, { name: 'config' }), { readOnly: true });
    // The run's key (runtime configuration security.runKeyFile): readable by the pod's user only
    // (Kubernetes adds group read for fsGroup, the same user's group here).
    const keySecret = kplus.Secret.fromSecretName(chart, `${id}-run-key`, names.runKeySecret(jobName, run.number));
    const keyVolume = kplus.Volume.fromSecret(chart, `${id}-run-key-volume`, keySecret, {
      name: 'run-key',
      defaultMode: 0o400,
      items: { [RUN_KEY_FILE]: { path: RUN_KEY_FILE } },
    });
    container.mount(RUN_KEY_DIR, keyVolume, { readOnly: true });
    // The root filesystem is read-only; tsx and the runtime keep temporary files here.
    container.mount('/tmp', kplus.Volume.fromEmptyDir(chart, `${id}-tmp-volume`, 'tmp'));
    const escape = ApiObject.of(built);
    // cdk8s-plus labels pods with their construct address for its own selectors; the operator selects by its labels.
    escape.addJsonPatch(JsonPatch.remove('/metadata/labels/cdk8s.io~1metadata.addr'));
    // cdk8s-plus always sets resources (its defaults) and takes only its own Cpu/Size types, not
    // Kubernetes quantity strings: remove them here and set the spec's values after synthesis.
    escape.addJsonPatch(JsonPatch.remove('/spec/containers/0/resources'));
    // cdk8s-plus has no props for these hardening fields the operator's own chart sets too.
    escape.addJsonPatch(JsonPatch.add('/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
    escape.addJsonPatch(JsonPatch.add('/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }));
    // Env with downward-API and secret references, in a fixed order, written as the API has it.
    escape.addJsonPatch(JsonPatch.add('/spec/containers/0/env', containerEnv(job, component)));
    return built;
  };

  pod('jobmanager', names.jobManagerPod(jobName), 'jobmanager', [
    { name: 'rpc', number: RPC_PORT },
    { name: 'rest', number: REST_PORT },
  ]);
  const taskManagers = taskManagerReplicas(job.spec);
  for (let i = 0; i < taskManagers; i++) {
    pod(`taskmanager-${i}`, names.taskManagerPod(jobName, i), 'taskmanager', [{ name: 'data', number: DATA_PORT }]);
  }

  const manifests = chart.toJson() as { kind: string; metadata: { name: string } }[];
  const find = <T extends Manifest>(kind: string, name: string) => withObjectHash(manifests.find((m) => m.kind === kind && m.metadata.name === name) as unknown as T);
  const templated = (podManifest: V1Pod, resources: Resources | undefined, template: PodTemplate | undefined) =>
    withObjectHash(mergePodTemplate(withResources(podManifest, resources), template));
  return {
    configMap: find<V1ConfigMap>('ConfigMap', names.configMap(jobName)),
    service: find<V1Service>('Service', names.jobManagerService(jobName)),
    jobManager: templated(manifests.find((m) => m.metadata.name === names.jobManagerPod(jobName) && m.kind === 'Pod') as V1Pod, job.spec.jobManager.resources, job.spec.jobManager.podTemplate),
    taskManagers: Array.from({ length: taskManagers }, (_, i) =>
      templated(manifests.find((m) => m.metadata.name === names.taskManagerPod(jobName, i)) as V1Pod, job.spec.taskManager.resources, job.spec.taskManager.podTemplate),
    ),
  };
}

/**
 * The runtime reads its pod's identity and address as `SLUICE_*` keys from the downward API, and S3
 * keys from the Secret by reference: the operator never reads or copies secret values.
 */
function containerEnv(job: StreamJob, component: Component): Record<string, unknown>[] {
  const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });
  return [
    field('POD_NAME', 'metadata.name'),
    field('POD_NAMESPACE', 'metadata.namespace'),
    field('POD_IP', 'status.podIP'),
    ...(component === 'jobmanager'
      ? [{ name: 'SLUICE_JOBMANAGER__BIND_ADDRESS', value: '$(POD_IP)' }]
      : [
          { name: 'SLUICE_TASKMANAGER__ID', value: '$(POD_NAME)' },
          { name: 'SLUICE_TASKMANAGER__BIND_ADDRESS', value: '$(POD_IP)' },
          { name: 'SLUICE_TASKMANAGER__ADVERTISED_ADDRESS', value: '$(POD_IP)' },
        ]),
    ...storageCredentialsEnv(job.spec),
    ...configurationEnv(job.spec.configuration),
  ];
}

type Resources = StreamJob['spec']['jobManager']['resources'];

/** The spec's cpu and memory as both request and limit of the main container: a Guaranteed pod when both are set. */
function withResources(pod: V1Pod, resources: Resources): V1Pod {
  const values = Object.fromEntries(Object.entries(resources ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  if (Object.keys(values).length === 0) return pod;
  const [main, ...rest] = pod.spec!.containers;
  return { ...pod, spec: { ...pod.spec!, containers: [{ ...main!, resources: { requests: values, limits: values } }, ...rest] } };
}

/** Records the hash of the manifest itself, so the reconciler can tell a stale object from a current one. */
type Manifest = { metadata?: { annotations?: Record<string, string> } };

function withObjectHash<T extends Manifest>(manifest: T): T {
  const hash = objectHash(manifest);
  return { ...manifest, metadata: { ...manifest.metadata, annotations: { ...manifest.metadata?.annotations, [OBJECT_HASH_ANNOTATION]: hash } } };
}
