import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { JobManagerStartedMessage } from '../../../runtime/cluster/local-cluster.ts';
import type { JobDetails, JobExceptions, JobState } from '../../../runtime/rest/rest-types.ts';
import type { SluiceConfigInput } from '../../../runtime/config/index.ts';
import { ProcessGroup, waitFor, waitForMessage, type TrackedProcess } from '../../support/processes.ts';
import { authHeaders, testRunKeyFile } from '../../support/run-key.ts';

export interface ClusterOptions {
  readonly entry: string;
  readonly args?: readonly string[];
  readonly jobId?: string;
  readonly parallelism: number;
  readonly taskManagers: number;
  /** Merged into the config file (restart strategy, heartbeat, ...). */
  readonly config?: Partial<SluiceConfigInput>;
}

/** The job runs and every one of its subtasks does (the moment to inject a fault, or the end of a start-up). */
export const allRunning = (d: JobDetails): boolean => d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.status === 'RUNNING'));

/** A JobManager and TaskManagers as real `sluice` processes on loopback, with REST helpers. */
export class Cluster {
  readonly group = new ProcessGroup();
  readonly dir = mkdtempSync(join(tmpdir(), 'sluice-cluster-test-'));
  readonly configFile = join(this.dir, 'config.json');
  jobManager!: TrackedProcess;
  readonly taskManagers: TrackedProcess[] = [];
  rpcPort = 0;
  restPort = 0;
  readonly jobId: string;

  constructor(private readonly options: ClusterOptions) {
    this.jobId = options.jobId ?? 'test-job';
    writeFileSync(
      this.configFile,
      JSON.stringify({
        job: { id: this.jobId, name: this.jobId, entry: resolve(options.entry), args: options.args ?? [], parallelism: options.parallelism },
        jobmanager: { address: '127.0.0.1', bindAddress: '127.0.0.1', rpcPort: 0, restPort: 0 },
        taskmanager: { bindAddress: '127.0.0.1', dataPort: 0 },
        heartbeat: { interval: '200ms', timeout: '2s' },
        restartStrategy: { type: 'fixed-delay', attempts: 3, delay: '200ms' },
        ...options.config,
      }),
    );
  }

  async start(): Promise<this> {
    await this.startJobManager();
    for (let i = 0; i < this.options.taskManagers; i++) this.startTaskManager(`tm-${i}`);
    return this;
  }

  /** Starts a JobManager with the cluster's config (again, after the previous one died: same ports when fixed in the config). */
  async startJobManager(): Promise<TrackedProcess> {
    this.jobManager = this.group.sluice('jobmanager', ['jobmanager', '--config', this.configFile]);
    const started = await waitForMessage(this.jobManager, (m): m is JobManagerStartedMessage => (m as { type?: string }).type === 'jobmanager-started');
    this.rpcPort = started.rpcPort;
    this.restPort = started.restPort;
    return this.jobManager;
  }

  startTaskManager(id: string, env: Record<string, string> = {}): TrackedProcess {
    const tm = this.group.sluice(id, ['taskmanager', '--config', this.configFile], { SLUICE_JOBMANAGER__RPC_PORT: String(this.rpcPort), SLUICE_TASKMANAGER__ID: id, ...env });
    this.taskManagers.push(tm);
    return tm;
  }

  /** SIGKILLs TaskManager `slot` and starts `id` in its place, as Kubernetes restarts a pod's container. */
  async replaceTaskManager(slot: number, id: string): Promise<TrackedProcess> {
    const victim = this.taskManagers[slot]!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    this.startTaskManager(id);
    this.taskManagers[slot] = this.taskManagers.pop()!;
    return this.taskManagers[slot];
  }

  /** SIGKILLs the JobManager and starts `id` with the same configuration; it finds the run's state in storage. */
  async replaceJobManager(id: string): Promise<TrackedProcess> {
    this.jobManager.child.kill('SIGKILL');
    await this.jobManager.exited;
    this.jobManager = this.group.sluice(id, ['jobmanager', '--config', this.configFile]);
    return this.jobManager;
  }

  /** Stops the job with a savepoint through `sluice savepoint --stop`, as a user would; resolves to the savepoint's location. */
  stopWithSavepoint(): Promise<string> {
    return new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['runtime/cli/bin.js', 'savepoint', `http://127.0.0.1:${this.restPort}`, '--stop', '--run-key-file', testRunKeyFile()], (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim()),
      ),
    );
  }

  async get<T>(path: string): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${this.restPort}${path}`, { headers: authHeaders() });
    return (await response.json()) as T;
  }

  details(): Promise<JobDetails> {
    return this.get<JobDetails>(`/jobs/${this.jobId}`);
  }

  exceptions(): Promise<JobExceptions> {
    return this.get<JobExceptions>(`/jobs/${this.jobId}/exceptions`);
  }

  /** Waits until the job's details satisfy `check`, returning them. */
  waitForDetails(what: string, check: (d: JobDetails) => boolean, timeoutMs = 60_000): Promise<JobDetails> {
    return waitFor(what, async () => {
      const d = await this.details();
      return check(d) ? d : undefined;
    }, timeoutMs);
  }

  waitForState(state: JobState, timeoutMs = 60_000): Promise<JobDetails> {
    return this.waitForDetails(`job state ${state}`, (d) => d.state === state, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.group.stopAll();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
