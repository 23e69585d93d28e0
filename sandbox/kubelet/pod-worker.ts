import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { isApiError, type ApiClient } from '../kube-api/api-client.ts';
import { ContainerConfigError, containerEnvironment, expandVariables, type ObjectSource } from './container-env.ts';
import { startContainerProcess, type ContainerExit, type ContainerProcess } from './container-process.ts';
import type { Container, ContainerStateTerminated, Pod, PodStatus, Probe } from '../kube-api/kube-types.ts';
import { containerCommand, containerSetUp, execInContainerCommand, type BindMount, type RunAs } from './mount-namespace.ts';
import type { EventRecorder, EventType } from './event-recorder.ts';
import type { MountpointRegistry } from './mountpoint-registry.ts';
import type { PodIpPool } from './pod-ip-pool.ts';
import { KUBELET_CONDITIONS, podPhase, podStatus, type ContainerView } from './pod-status.ts';
import { containerMounts, materializeVolumes, VolumeSetupError, type TokenSource } from './pod-volumes.ts';
import { ProbeWorker, runLifecycleHandler, runProbe, type ProbeKind, type ProbeTarget } from './probe.ts';
import { createTerminationMessageFile, terminationMessage } from './termination-message.ts';
import type { ProcessRegistry } from './process-registry.ts';
import { nextBackoff, remainingBackoff, type BackoffEntry, type BackoffPolicy } from './restart-backoff.ts';

/** What a pod worker needs from its kubelet. */
export interface PodWorkerDeps {
  api: ApiClient;
  hostIP: string;
  ipPool: PodIpPool;
  mountpoints: MountpointRegistry;
  processes: ProcessRegistry;
  objects: ObjectSource;
  tokens: TokenSource;
  nodeCapacity: { cpu: number; memoryBytes: number };
  cwd: string;
  podsDir: string;
  backoff: BackoffPolicy;
  /** How often running pods' ConfigMap/Secret/downward API volumes are brought up to date. */
  volumeSyncMs: number;
  /** Environment every container starts from (PATH, KUBERNETES_SERVICE_*, DNS preload). */
  baseEnv: (pod: Pod) => Record<string, string>;
  logger: Logger;
  events: EventRecorder;
  /** Called after each status write, so the kubelet can refresh pod DNS records. */
  statusWritten: () => void;
}

interface ContainerRecord {
  spec: Container;
  init: boolean;
  restartCount: number;
  process?: ContainerProcess;
  running?: { startedAt: string; containerID: string };
  waiting?: { reason: string; message?: string };
  terminated?: ContainerStateTerminated;
  lastTermination?: ContainerStateTerminated;
  ready: boolean;
  started: boolean;
  backoff?: BackoffEntry;
  probes: ProbeWorker[];
  mounts: BindMount[];
  timer?: NodeJS.Timeout;
  killTimer?: NodeJS.Timeout;
  /** Aborted when the current instance exits: ends its probes' and hooks' processes. */
  instance?: AbortController;
  /** The last configuration error reported as an event, so a retry loop does not repeat it. */
  lastError?: string;
  /** Set once the current instance is being stopped, so its preStop hook runs once. */
  stopping?: boolean;
  env?: Record<string, string>;
  /** The host file the current instance's terminationMessagePath is bind-mounted from. */
  terminationMessageFile?: string;
}

/** One container instance's log file, as the kubelet's log endpoint serves it. */
export interface LogFile {
  path: string;
  /** True while the process writing the file may still write more. */
  live: () => boolean;
}

const RETRY_SETUP_MS = 1_000;

/**
 * Runs one pod the way the kubelet's pod worker does: sets up its address and volumes, starts its
 * containers, restarts them per `restartPolicy` with back-off, runs probes, reports status through
 * `pods/status`, and on deletion stops the containers (SIGTERM, SIGKILL after the grace period)
 * and deletes the pod object with grace period 0.
 */
export class PodWorker {
  private pod: Pod;
  private readonly initContainers: ContainerRecord[];
  private readonly containers: ContainerRecord[];
  /** Init containers first, in order, then app containers. */
  private readonly all: ContainerRecord[];
  private readonly podDir: string;
  private podIP: string | undefined;
  private readonly startTime = new Date().toISOString();
  private terminating = false;
  private stopped = false;
  private finished = false;
  private ipReleased = false;
  private writing = false;
  private dirty = false;
  private lastWritten = '';
  private lastStatus: PodStatus | undefined;
  private setupTimer: NodeJS.Timeout | undefined;
  private lastSetupError: string | undefined;

  constructor(
    pod: Pod,
    private readonly deps: PodWorkerDeps,
  ) {
    this.pod = pod;
    this.podDir = join(deps.podsDir, pod.metadata.uid ?? `${pod.metadata.namespace}_${pod.metadata.name}`);
    const record = (spec: Container, init: boolean): ContainerRecord => ({ spec, init, restartCount: 0, ready: false, started: false, probes: [], mounts: [] });
    this.initContainers = (pod.spec.initContainers ?? []).map((spec) => record(spec, true));
    this.containers = pod.spec.containers.map((spec) => record(spec, false));
    this.all = [...this.initContainers, ...this.containers];
  }

  get namespace(): string {
    return this.pod.metadata.namespace ?? 'default';
  }

  get name(): string {
    return this.pod.metadata.name;
  }

  get uid(): string | undefined {
    return this.pod.metadata.uid;
  }

  start(): void {
    mkdirSync(join(this.podDir, 'logs'), { recursive: true });
    this.podIP = this.pod.spec.hostNetwork ? this.deps.hostIP : this.deps.ipPool.allocate();
    for (const c of this.all) mkdirSync(join(this.podDir, 'logs', c.spec.name), { recursive: true });
    for (const c of this.containers) if (this.initContainers.length > 0) c.waiting = { reason: 'PodInitializing' };
    this.requestStatus();
    void this.setup();
  }

  /** A newer version of the pod object arrived from the watch. */
  update(pod: Pod): void {
    this.pod = pod;
    if (pod.metadata.deletionTimestamp !== undefined && !this.terminating) void this.terminate();
  }

  /** The pod object is gone from the API (e.g. force-deleted): stop everything at once. */
  async removed(): Promise<void> {
    await this.stop();
    rmSync(this.podDir, { recursive: true, force: true });
  }

  /** Kubelet shutdown: kill every process now, report nothing. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.terminating = true;
    await this.killAll(0);
    this.releaseResources();
  }

  /** Fault injection: SIGKILL the pod's processes; they restart per restartPolicy. */
  killProcesses(): number {
    let killed = 0;
    for (const c of this.all) {
      if (c.process) {
        c.process.signal('SIGKILL');
        killed++;
      }
    }
    return killed;
  }

  logFile(container: string, previous: boolean): LogFile | { error: string } {
    const c = this.all.find((r) => r.spec.name === container);
    if (c === undefined) return { error: `container ${container} is not valid for pod ${this.name}` };
    const instance = previous ? c.restartCount - 1 : c.restartCount;
    const path = this.logPath(c, instance);
    if (instance < 0 || !existsSync(path)) {
      if (previous) return { error: `previous terminated container "${container}" in pod "${this.name}" not found` };
      return { error: `container "${container}" in pod "${this.name}" is waiting to start: ${c.waiting?.reason ?? 'ContainerCreating'}` };
    }
    return { path, live: () => !previous && c.restartCount === instance && c.process !== undefined };
  }

  private logPath(c: ContainerRecord, instance: number): string {
    return join(this.podDir, 'logs', c.spec.name, `${instance}.log`);
  }

  private terminationMessagePath(c: ContainerRecord, instance: number): string {
    return join(this.podDir, 'logs', c.spec.name, `${instance}.termination-log`);
  }

  private materializeVolumes(): Promise<void> {
    return materializeVolumes({
      pod: this.podView(),
      podDir: this.podDir,
      objects: this.deps.objects,
      tokens: this.deps.tokens,
      nodeCapacity: this.deps.nodeCapacity,
    });
  }

  /** Periodic volume sync; a failure keeps the last written content, as the kubelet does. */
  private scheduleVolumeSync(): void {
    this.setupTimer = setTimeout(() => {
      if (this.terminating || this.finished) return;
      this.materializeVolumes()
        .catch((err: unknown) => this.deps.logger.warn({ err, pod: this.name }, 'volume sync failed'))
        .finally(() => {
          if (!this.terminating && !this.finished) this.scheduleVolumeSync();
        });
    }, this.deps.volumeSyncMs);
  }

  private async setup(): Promise<void> {
    if (this.terminating) return;
    try {
      await this.materializeVolumes();
    } catch (err) {
      if (!(err instanceof VolumeSetupError || err instanceof ContainerConfigError)) this.deps.logger.error({ err, pod: this.name }, 'volume setup failed');
      const message = `MountVolume.SetUp failed: ${(err as Error).message}`;
      if (message !== this.lastSetupError) this.deps.events.event(this.pod, 'Warning', 'FailedMount', message);
      this.lastSetupError = message;
      for (const c of this.all) c.waiting = { reason: 'ContainerCreating', message };
      this.requestStatus();
      this.setupTimer = setTimeout(() => void this.setup(), RETRY_SETUP_MS);
      return;
    }
    this.scheduleVolumeSync();
    this.startNextInitOrApps();
  }

  /** Init containers run one at a time, each to success, before the app containers start together. */
  private startNextInitOrApps(): void {
    const next = this.initContainers.find((c) => c.terminated?.exitCode !== 0);
    if (next !== undefined) {
      void this.startContainer(next);
      return;
    }
    for (const c of this.containers) void this.startContainer(c);
  }

  /** The pod as its containers see it: with the status this kubelet assigned, even before the watch echoes it. */
  private podView(): Pod {
    const podIP = this.podIP;
    return {
      ...this.pod,
      status: {
        ...this.pod.status,
        hostIP: this.deps.hostIP,
        hostIPs: [{ ip: this.deps.hostIP }],
        ...(podIP === undefined ? {} : { podIP, podIPs: [{ ip: podIP }] }),
      },
    };
  }

  private runAs(container: Container): RunAs {
    const pod = this.pod.spec.securityContext;
    const own = container.securityContext;
    const uid = own?.runAsUser ?? pod?.runAsUser;
    const gid = own?.runAsGroup ?? pod?.runAsGroup;
    // As the kubelet: fsGroup and supplementalGroups are supplementary groups of every container.
    const groups = [...(pod?.fsGroup === undefined ? [] : [pod.fsGroup]), ...(pod?.supplementalGroups ?? [])];
    return { ...(uid === undefined ? {} : { uid }), ...(gid === undefined ? {} : { gid }), ...(groups.length === 0 ? {} : { groups }) };
  }

  private async startContainer(c: ContainerRecord): Promise<void> {
    if (this.terminating) return;
    c.timer = undefined;
    const pod = this.podView();
    let env: Record<string, string>;
    let argv: string[];
    try {
      const containerEnv = await containerEnvironment(pod, c.spec, this.deps.objects, this.deps.nodeCapacity);
      if (this.terminating) return;
      if (c.spec.command === undefined || c.spec.command.length === 0) {
        throw new ContainerConfigError(
          `container "${c.spec.name}" has no command: the sandbox kubelet does not pull images, so it cannot know the ENTRYPOINT of "${c.spec.image ?? ''}"; set command (and args)`,
        );
      }
      argv = [...c.spec.command, ...(c.spec.args ?? [])].map((a) => expandVariables(a, containerEnv));
      c.mounts = containerMounts(pod, this.podDir, c.spec);
      c.terminationMessageFile = undefined;
      if (c.spec.terminationMessagePath) {
        // As the kubelet: a file per instance in the pod's directory, mounted at the path the container writes its last words to.
        const file = this.terminationMessagePath(c, c.restartCount);
        c.mounts.push({ source: file, target: c.spec.terminationMessagePath, readOnly: false });
        c.terminationMessageFile = file;
      }
      env = mergeEnv(this.deps.baseEnv(pod), containerEnv);
    } catch (err) {
      // an unreachable API server is retried like a missing ConfigMap, as the kubelet's config sync does
      if (!(err instanceof ContainerConfigError || err instanceof VolumeSetupError)) this.deps.logger.warn({ err, pod: this.name }, 'container config failed');
      this.retryStart(c, 'CreateContainerConfigError', (err as Error).message);
      return;
    }
    let process: ContainerProcess;
    const acquired: string[] = [];
    try {
      if (c.terminationMessageFile !== undefined) {
        createTerminationMessageFile(c.terminationMessageFile);
        rmSync(this.terminationMessagePath(c, c.restartCount - 2), { force: true });
      }
      for (const m of c.mounts) {
        this.deps.mountpoints.acquire(m.target, isFileSource(m.source));
        acquired.push(m.target);
      }
      const command = containerCommand(c.mounts, this.runAs(c.spec), argv, [this.deps.cwd, dirname(this.deps.podsDir)]);
      const logPath = this.logPath(c, c.restartCount);
      rmSync(this.logPath(c, c.restartCount - 2), { force: true });
      process = startContainerProcess(command, env, c.spec.workingDir ?? this.deps.cwd, logPath, this.deps.processes);
    } catch (err) {
      // the host refused (a mountpoint that cannot be created, no log file): Kubernetes' CreateContainerError
      for (const target of acquired) this.deps.mountpoints.release(target);
      c.mounts = [];
      this.retryStart(c, 'CreateContainerError', (err as Error).message);
      return;
    }
    c.process = process;
    c.env = env;
    c.lastError = undefined;
    this.event(c, 'Normal', 'Created', `Created container: ${c.spec.name}`);
    this.event(c, 'Normal', 'Started', `Started container ${c.spec.name}`);
    c.running = { startedAt: new Date().toISOString(), containerID: `process://${process.pid}` };
    c.waiting = undefined;
    c.terminated = undefined;
    c.started = c.spec.startupProbe === undefined;
    c.ready = false;
    c.stopping = false;
    c.instance = new AbortController();
    this.runPostStart(c, process);
    if (!c.init) this.startProbes(c);
    void process.exited.then((exit) => this.onExit(c, process, exit));
    this.requestStatus();
  }

  /** The container waits with `reason`; the start is retried shortly, the event recorded once per distinct error. */
  private retryStart(c: ContainerRecord, reason: string, message: string): void {
    c.waiting = { reason, message };
    if (message !== c.lastError) this.event(c, 'Warning', 'Failed', `Error: ${message}`);
    c.lastError = message;
    this.requestStatus();
    c.timer = setTimeout(() => void this.startContainer(c), RETRY_SETUP_MS);
  }

  private startProbes(c: ContainerRecord): void {
    const { readinessProbe, startupProbe } = c.spec;
    if (startupProbe) c.probes.push(this.probeWorker(c, 'startup', startupProbe));
    else this.startMainProbes(c);
    if (readinessProbe === undefined) c.ready = c.started;
  }

  private startMainProbes(c: ContainerRecord): void {
    const { readinessProbe, livenessProbe } = c.spec;
    if (readinessProbe) c.probes.push(this.probeWorker(c, 'readiness', readinessProbe));
    if (livenessProbe) c.probes.push(this.probeWorker(c, 'liveness', livenessProbe));
  }

  private probeWorker(c: ContainerRecord, kind: ProbeKind, probe: Probe): ProbeWorker {
    const process = c.process!;
    const target = this.probeTarget(c, process);
    const worker = new ProbeWorker(probe, kind === 'liveness', () => runProbe(probe, target), (success) => {
      if (c.process !== process || this.terminating) return;
      if (!success) this.event(c, 'Warning', 'Unhealthy', `${kind[0]!.toUpperCase()}${kind.slice(1)} probe failed`);
      if (kind === 'readiness') {
        c.ready = success && c.started;
        this.requestStatus();
      } else if (kind === 'startup' && success) {
        worker.stop();
        c.started = true;
        if (c.spec.readinessProbe === undefined) c.ready = true;
        this.startMainProbes(c);
        this.requestStatus();
      } else if (!success) {
        this.event(c, 'Normal', 'Killing', `Container ${c.spec.name} failed ${kind} probe, will be restarted`);
        this.killContainer(c, this.graceSeconds(probe.terminationGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds));
      }
    });
    worker.start();
    return worker;
  }

  private probeTarget(c: ContainerRecord, process: ContainerProcess): ProbeTarget {
    return {
      podIP: this.podIP ?? this.deps.hostIP,
      container: c.spec,
      env: c.env ?? {},
      cwd: c.spec.workingDir ?? this.deps.cwd,
      execCommand: (argv: string[]) => execInContainerCommand(process.pid, this.runAs(c.spec), argv),
      signal: c.instance!.signal,
    };
  }

  /** postStart runs right after the process starts; if it fails the container is killed, as in Kubernetes. */
  private runPostStart(c: ContainerRecord, process: ContainerProcess): void {
    const hook = c.spec.lifecycle?.postStart;
    if (hook === undefined) return;
    const grace = this.graceSeconds(this.pod.spec.terminationGracePeriodSeconds);
    // as in Kubernetes, the hook sees the container as it runs: with its volumes mounted
    void containerSetUp(process.pid)
      .then(() => runLifecycleHandler(hook, this.probeTarget(c, process), grace * 1000))
      .then((ok) => {
        if (ok || c.process !== process || this.terminating) return;
        this.event(c, 'Warning', 'FailedPostStartHook', `PostStartHook failed for container ${c.spec.name}`);
        this.killContainer(c, grace);
      });
  }

  private event(c: ContainerRecord, type: EventType, reason: string, message: string): void {
    this.deps.events.event(this.pod, type, reason, message, `spec.${c.init ? 'initContainers' : 'containers'}{${c.spec.name}}`);
  }

  private graceSeconds(value: number | undefined): number {
    return value ?? 30;
  }

  /**
   * Stops the container: runs its preStop hook (once), then SIGTERMs the process group; SIGKILL
   * follows when the grace period, counted from the start of the stop, runs out.
   */
  private killContainer(c: ContainerRecord, graceSeconds: number): void {
    const process = c.process;
    if (process === undefined) return;
    if (c.killTimer !== undefined) clearTimeout(c.killTimer);
    if (graceSeconds <= 0) {
      process.signal('SIGKILL');
      return;
    }
    c.killTimer = setTimeout(() => process.signal('SIGKILL'), graceSeconds * 1000);
    const preStop = c.spec.lifecycle?.preStop;
    const firstStop = !c.stopping;
    c.stopping = true;
    if (preStop === undefined || !firstStop) {
      process.signal('SIGTERM');
      return;
    }
    void runLifecycleHandler(preStop, this.probeTarget(c, process), graceSeconds * 1000).then(() => {
      if (c.process === process) process.signal('SIGTERM');
    });
  }

  private onExit(c: ContainerRecord, process: ContainerProcess, exit: ContainerExit): void {
    if (c.process !== process) return;
    c.instance?.abort();
    for (const p of c.probes) p.stop();
    c.probes = [];
    if (c.killTimer !== undefined) clearTimeout(c.killTimer);
    c.killTimer = undefined;
    for (const m of c.mounts) this.deps.mountpoints.release(m.target);
    c.mounts = [];
    const finishedAt = new Date();
    const message = terminationMessage(c.terminationMessageFile, this.logPath(c, c.restartCount), c.spec.terminationMessagePolicy, exit.exitCode);
    const termination: ContainerStateTerminated = {
      exitCode: exit.exitCode,
      ...(exit.signal === undefined ? {} : { signal: exit.signal }),
      reason: exit.exitCode === 0 ? 'Completed' : 'Error',
      ...(message === undefined ? {} : { message }),
      startedAt: c.running?.startedAt ?? finishedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      containerID: c.running?.containerID ?? '',
    };
    c.process = undefined;
    c.running = undefined;
    c.ready = false;
    c.started = false;
    const initSucceeded = c.init && exit.exitCode === 0;
    if (this.terminating || initSucceeded || !this.shouldRestart(c, exit.exitCode)) {
      c.terminated = termination;
      c.ready = initSucceeded;
      this.requestStatus();
      if (this.terminating) return;
      if (initSucceeded) this.startNextInitOrApps();
      const phase = podPhase(this.views(this.initContainers), this.views(this.containers));
      if (phase === 'Succeeded' || phase === 'Failed') this.finish();
      return;
    }
    c.lastTermination = termination;
    const delay = remainingBackoff(c.backoff, finishedAt.getTime(), Date.now(), this.deps.backoff);
    const restart = () => {
      c.backoff = nextBackoff(c.backoff, Date.now(), this.deps.backoff);
      c.restartCount++;
      void this.startContainer(c);
    };
    if (delay === 0) {
      restart();
      return;
    }
    c.waiting = {
      reason: 'CrashLoopBackOff',
      message: `back-off ${formatDuration(c.backoff!.delayMs)} restarting failed container=${c.spec.name} pod=${this.name}_${this.namespace}(${this.uid})`,
    };
    c.timer = setTimeout(restart, delay);
    this.event(c, 'Warning', 'BackOff', `Back-off restarting failed container ${c.spec.name} in pod ${this.name}_${this.namespace}(${this.uid})`);
    this.requestStatus();
  }

  /** Init containers are retried on failure unless the policy is Never; app containers follow the policy. */
  private shouldRestart(c: ContainerRecord, exitCode: number): boolean {
    const policy = this.pod.spec.restartPolicy ?? 'Always';
    if (c.init) return policy !== 'Never';
    return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  }

  /** The pod reached Succeeded or Failed: nothing will run again; its address is free. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.releaseResources();
  }

  private releaseResources(): void {
    if (this.setupTimer !== undefined) clearTimeout(this.setupTimer);
    for (const c of this.all) {
      if (c.timer !== undefined) clearTimeout(c.timer);
      c.timer = undefined;
    }
    if (this.podIP !== undefined && !this.pod.spec.hostNetwork && !this.ipReleased) this.deps.ipPool.release(this.podIP);
    this.ipReleased = true;
  }

  private async killAll(graceSeconds: number): Promise<void> {
    const exits: Promise<unknown>[] = [];
    for (const c of this.all) {
      if (c.timer !== undefined) clearTimeout(c.timer);
      c.timer = undefined;
      for (const p of c.probes) p.stop();
      if (c.process) {
        exits.push(c.process.exited);
        this.killContainer(c, graceSeconds);
      }
    }
    await Promise.all(exits);
  }

  /** Graceful deletion: stop the containers, then remove the pod object (grace period 0, same uid). */
  private async terminate(): Promise<void> {
    this.terminating = true;
    for (const c of this.all) if (c.process) this.event(c, 'Normal', 'Killing', `Stopping container ${c.spec.name}`);
    const grace = this.pod.metadata.deletionGracePeriodSeconds ?? this.graceSeconds(this.pod.spec.terminationGracePeriodSeconds);
    await this.killAll(grace);
    if (this.stopped) return;
    this.releaseResources();
    rmSync(this.podDir, { recursive: true, force: true });
    try {
      await this.deps.api.request('DELETE', `/api/v1/namespaces/${this.namespace}/pods/${this.name}`, {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        gracePeriodSeconds: 0,
        preconditions: { uid: this.uid },
      });
    } catch (err) {
      if (!isApiError(err, 404) && !isApiError(err, 409)) this.deps.logger.error({ err, pod: this.name }, 'deleting the terminated pod failed');
    }
  }

  private views(records: ContainerRecord[]): ContainerView[] {
    return records.map((c) => ({
      name: c.spec.name,
      image: c.spec.image ?? '',
      restartCount: c.restartCount,
      ...(c.running ? { running: c.running } : {}),
      ...(c.waiting ? { waiting: c.waiting } : {}),
      ...(c.terminated ? { terminated: c.terminated } : {}),
      ...(c.lastTermination ? { lastTermination: c.lastTermination } : {}),
      ready: c.ready,
      started: c.started,
    }));
  }

  /**
   * The status to carry transition times from: this kubelet's own conditions as it last wrote them
   * (a watch event may deliver an older pod), other writers' conditions as the API has them.
   */
  private previousStatus(): PodStatus | undefined {
    if (this.lastStatus === undefined) return this.pod.status;
    const foreign = (this.pod.status?.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.includes(c.type));
    const own = (this.lastStatus.conditions ?? []).filter((c) => KUBELET_CONDITIONS.includes(c.type));
    return { ...this.pod.status, conditions: [...foreign, ...own] };
  }

  /** Coalesces status changes into one `pods/status` merge patch at a time, skipping no-ops. */
  requestStatus(): void {
    this.dirty = true;
    if (!this.writing) setImmediate(() => void this.writeStatus());
  }

  private async writeStatus(): Promise<void> {
    if (this.writing || !this.dirty || this.stopped || (this.terminating && this.pod.metadata.deletionTimestamp !== undefined)) return;
    this.writing = true;
    this.dirty = false;
    const status = podStatus({
      previous: this.previousStatus(),
      hostIP: this.deps.hostIP,
      podIP: this.podIP,
      startTime: this.startTime,
      initContainers: this.views(this.initContainers),
      containers: this.views(this.containers),
      now: new Date().toISOString(),
    });
    const body = JSON.stringify({ status });
    try {
      if (body !== this.lastWritten) {
        this.pod = await this.deps.api.request<Pod>('PATCH', `/api/v1/namespaces/${this.namespace}/pods/${this.name}/status`, { status }, 'application/merge-patch+json');
        this.lastWritten = body;
        this.lastStatus = status;
        this.deps.statusWritten();
      }
    } catch (err) {
      if (!isApiError(err, 404)) {
        this.deps.logger.warn({ err, pod: this.name }, 'pod status update failed, retrying');
        this.dirty = true;
        await new Promise((resolve) => setTimeout(resolve, RETRY_SETUP_MS));
      }
    } finally {
      this.writing = false;
    }
    if (this.dirty) void this.writeStatus();
  }
}

function mergeEnv(base: Record<string, string>, container: Map<string, string>): Record<string, string> {
  const env = { ...base };
  for (const [k, v] of container) env[k] = k === 'NODE_OPTIONS' && base.NODE_OPTIONS ? `${base.NODE_OPTIONS} ${v}` : v;
  return env;
}

function isFileSource(source: string): boolean {
  try {
    return !statSync(source).isDirectory();
  } catch {
    return false;
  }
}

function formatDuration(ms: number): string {
  const s = ms / 1000;
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60 === 0 ? '' : `${s % 60}s`}` : `${s}s`;
}
