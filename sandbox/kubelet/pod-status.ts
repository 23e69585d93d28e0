import type { ContainerStateTerminated, ContainerStatus, PodCondition, PodStatus } from '../kube-api/kube-types.ts';

/** What the kubelet knows about one container instance when it reports status. */
export interface ContainerView {
  name: string;
  image: string;
  restartCount: number;
  running?: { startedAt: string; containerID: string };
  waiting?: { reason: string; message?: string };
  /** Set when the container has stopped for good (no restart will follow). */
  terminated?: ContainerStateTerminated;
  lastTermination?: ContainerStateTerminated;
  ready: boolean;
  started: boolean;
}

export interface PodStatusInput {
  previous: PodStatus | undefined;
  hostIP: string;
  podIP: string | undefined;
  startTime: string;
  initContainers: ContainerView[];
  containers: ContainerView[];
  now: string;
}

type Phase = NonNullable<PodStatus['phase']>;

const initDone = (c: ContainerView) => c.terminated?.exitCode === 0;

/**
 * The pod phase as the kubelet derives it: Failed if an init container failed for good, Pending
 * until init containers have completed and every container has run, Running while one runs or
 * will be restarted, then Succeeded if every container exited 0, else Failed.
 */
export function podPhase(initContainers: ContainerView[], containers: ContainerView[]): Phase {
  if (initContainers.some((c) => c.terminated !== undefined && c.terminated.exitCode !== 0)) return 'Failed';
  if (!initContainers.every(initDone)) return 'Pending';
  if (containers.some((c) => !c.running && !c.terminated && !c.lastTermination)) return 'Pending';
  if (containers.some((c) => c.running || c.waiting)) return 'Running';
  return containers.every((c) => c.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
}

export function containerStatus(c: ContainerView): ContainerStatus {
  const state: ContainerStatus['state'] = c.running
    ? { running: { startedAt: c.running.startedAt } }
    : c.terminated
      ? { terminated: c.terminated }
      : { waiting: c.waiting ?? { reason: 'ContainerCreating' } };
  const containerID = c.running?.containerID ?? c.terminated?.containerID;
  return {
    name: c.name,
    state,
    lastState: c.lastTermination ? { terminated: c.lastTermination } : {},
    ready: c.ready,
    started: c.started,
    restartCount: c.restartCount,
    image: c.image,
    imageID: '',
    ...(containerID === undefined ? {} : { containerID }),
  };
}

/** Conditions the kubelet owns; others (PodScheduled from the scheduler, DisruptionTarget, ...) are kept as found. */
export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready'];

/** Keeps `lastTransitionTime` of a condition whose status did not change. */
function condition(previous: PodCondition[] | undefined, type: string, status: boolean, now: string, reason?: string, message?: string): PodCondition {
  const value = status ? 'True' : 'False';
  const old = previous?.find((c) => c.type === type);
  const lastTransitionTime = old !== undefined && old.status === value && old.lastTransitionTime !== undefined ? old.lastTransitionTime : now;
  return { type, status: value, lastProbeTime: null, lastTransitionTime, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

export function podStatus(input: PodStatusInput): PodStatus {
  const phase = podPhase(input.initContainers, input.containers);
  const prev = input.previous?.conditions;
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const unready = input.containers.filter((c) => !c.ready).map((c) => c.name);
  const allReady = unready.length === 0;
  const notReadyReason = terminal ? 'PodCompleted' : allReady ? undefined : 'ContainersNotReady';
  const notReadyMessage = terminal || allReady ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const foreign = (prev ?? []).filter((c) => !KUBELET_CONDITIONS.includes(c.type));
  const incomplete = input.initContainers.filter((c) => !initDone(c)).map((c) => c.name);
  const initialized = incomplete.length === 0;
  const conditions: PodCondition[] = [
    condition(prev, 'PodReadyToStartContainers', input.podIP !== undefined && !terminal, input.now),
    initialized
      ? condition(prev, 'Initialized', true, input.now, terminal && input.initContainers.length > 0 ? 'PodCompleted' : undefined)
      : condition(prev, 'Initialized', false, input.now, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    condition(prev, 'ContainersReady', allReady && !terminal, input.now, notReadyReason, notReadyMessage),
    condition(prev, 'Ready', allReady && !terminal, input.now, notReadyReason, notReadyMessage),
  ];
  if (!foreign.some((c) => c.type === 'PodScheduled')) conditions.push(condition(prev, 'PodScheduled', true, input.now));
  return {
    phase,
    conditions: [...foreign, ...conditions],
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    ...(input.podIP === undefined ? {} : { podIP: input.podIP, podIPs: [{ ip: input.podIP }] }),
    startTime: input.startTime,
    containerStatuses: input.containers.map(containerStatus),
    ...(input.initContainers.length === 0 ? {} : { initContainerStatuses: input.initContainers.map(containerStatus) }),
  };
}
