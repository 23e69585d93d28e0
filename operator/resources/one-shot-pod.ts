import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { StreamJob } from '../api/stream-job.ts';
import { jobLabels, ownerReference, type OneShotComponent } from './labels.ts';
import { configurationEnv, runtimeConfigEnv, storageCredentialsEnv } from './runtime-config.ts';
import { RUNTIME_USER } from './desired-objects.ts';

/** Where a one-shot pod's container writes its result for the operator (the Kubernetes default path). */
export const TERMINATION_MESSAGE_PATH = '/dev/termination-log';

/** What a one-shot pod runs. */
export interface OneShotPodOptions {
  /** The pod's name: one per purpose and target, so a second reconcile finds the pod the first one created. */
  readonly name: string;
  /** The `sluice.dev/component` label: what the pod is for. */
  readonly component: OneShotComponent;
  /** Arguments of the `sluice` command in the job's image, e.g. `['plan', '--from', path]`. */
  readonly args: readonly string[];
  /**
   * Runtime configuration (runtime/config/README.md) the command needs, nested as the configuration
   * file has it, passed as `SLUICE_*` variables: the pod has no ConfigMap of its own.
   */
  readonly config: Record<string, unknown>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Kubernetes ends the pod (phase Failed, reason DeadlineExceeded) after this long. */
  readonly activeDeadlineSeconds: number;
}

/**
 * A pod that runs one `sluice` command in the job's image and ends: the upgrade check (`sluice plan`)
 * and storage cleanup. It sees the job's storage as the job's pods do (the credentials Secret by
 * reference, `spec.configuration` as variables) and runs under Pod Security `restricted` without a
 * service-account token. Owned by the StreamJob, so it goes with it; never restarted. Its result
 * reaches the operator as the container's termination message (written to
 * {@link TERMINATION_MESSAGE_PATH}, the log's tail if the command failed before writing it), which
 * the kubelet puts in `status.containerStatuses[0].state.terminated.message`: the operator reads
 * neither Secrets nor logs. Of the JobManager's podTemplate it takes what decides where and as whom
 * the pod runs (service account, pull secrets, node selection), none of its containers.
 */
export function oneShotPod(job: StreamJob, options: OneShotPodOptions): V1Pod {
  const template = job.spec.jobManager.podTemplate?.spec;
  const placement: Partial<V1PodSpec> = {};
  for (const key of PLACEMENT_FIELDS) {
    if (template?.[key] !== undefined) (placement as Record<string, unknown>)[key] = template[key];
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: options.name,
      namespace: job.metadata.namespace!,
      labels: jobLabels(job.metadata.name!, options.component),
      ...(options.annotations === undefined ? {} : { annotations: { ...options.annotations } }),
      ownerReferences: [ownerReference(job)],
    },
    spec: {
      ...placement,
      restartPolicy: 'Never',
      activeDeadlineSeconds: options.activeDeadlineSeconds,
      automountServiceAccountToken: false,
      securityContext: { runAsUser: RUNTIME_USER, runAsGroup: RUNTIME_USER, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: options.component,
          image: job.spec.image,
          imagePullPolicy: 'IfNotPresent',
          // Relative to the runtime image's WORKDIR, as the job's pods run it.
          command: ['node', 'runtime/cli/bin.js', ...options.args],
          env: [...runtimeConfigEnv(options.config), ...storageCredentialsEnv(job.spec), ...configurationEnv(job.spec.configuration)] as V1PodSpec['containers'][0]['env'],
          terminationMessagePath: TERMINATION_MESSAGE_PATH,
          terminationMessagePolicy: 'FallbackToLogsOnError',
          securityContext: {
            runAsUser: RUNTIME_USER,
            runAsGroup: RUNTIME_USER,
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
          // The root filesystem is read-only; tsx keeps its cache here.
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
}

const PLACEMENT_FIELDS = ['serviceAccountName', 'imagePullSecrets', 'nodeSelector', 'affinity', 'tolerations', 'priorityClassName'] as const satisfies readonly (keyof V1PodSpec)[];

/** How a one-shot pod ended, from its status; undefined while it runs. */
export interface OneShotOutcome {
  readonly exitCode: number;
  /** The termination message: what the command wrote to its termination-message file, else its log's tail. */
  readonly message: string;
  /** Set when Kubernetes ended the pod (activeDeadlineSeconds) or it never ran (e.g. its image cannot be pulled). */
  readonly reason?: string;
}

export function oneShotOutcome(pod: V1Pod): OneShotOutcome | undefined {
  const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
  if (terminated !== undefined) {
    return { exitCode: terminated.exitCode, message: terminated.message ?? '', ...(terminated.reason === undefined ? {} : { reason: terminated.reason }) };
  }
  if (pod.status?.phase === 'Failed') return { exitCode: -1, message: pod.status.message ?? '', reason: pod.status.reason ?? 'Failed' };
  return undefined;
}
