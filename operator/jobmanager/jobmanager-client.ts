import type {
  CheckpointingStatistics,
  JobDetails,
  JobExceptions,
  JobState,
  SavepointStatus,
  TriggerResponse,
} from '../../runtime/rest/rest-types.ts';

/** What the operator learns about a running job in one poll. */
export type JobObservation =
  | {
      reachable: true;
      state: JobState;
      restarts: number;
      latestCompleted?: { id: number; path: string; time: Date };
      latestSavepoint?: { path: string; time: Date };
      rootException?: { name: string; message: string; time: Date };
    }
  | { reachable: false; error: string };

export type SavepointTriggerObservation =
  | { status: 'IN_PROGRESS' }
  | { status: 'COMPLETED'; location: string }
  | { status: 'FAILED'; cause: string }
  | { status: 'UNREACHABLE'; error: string };

/** The seam the reconciler talks through; tests can give it a server of their own. */
export interface JobManagerApi {
  observe(baseUrl: string, jobId: string): Promise<JobObservation>;
  savepointStatus(baseUrl: string, jobId: string, triggerId: string): Promise<SavepointTriggerObservation>;
  triggerSavepoint(baseUrl: string, jobId: string): Promise<string>;
  stopWithSavepoint(baseUrl: string, jobId: string): Promise<string>;
  cancel(baseUrl: string, jobId: string): Promise<void>;
}

/**
 * Reads a run's JobManager through its REST API (runtime/rest/rest-types.ts, the only thing the
 * operator knows of the runtime). Every call has a timeout: a hung JobManager never stalls a reconcile.
 */
export class JobManagerClient implements JobManagerApi {
  constructor(private readonly timeoutMs = 3000) {}

  async observe(baseUrl: string, jobId: string): Promise<JobObservation> {
    try {
      const job = encodeURIComponent(jobId);
      const [details, checkpoints, exceptions] = await Promise.all([
        this.request<JobDetails>('GET', `${baseUrl}/jobs/${job}`),
        this.request<CheckpointingStatistics>('GET', `${baseUrl}/jobs/${job}/checkpoints`),
        this.request<JobExceptions>('GET', `${baseUrl}/jobs/${job}/exceptions`),
      ]);
      const completed = checkpoints.latest.completed;
      const savepoint = checkpoints.latest.savepoint;
      const root = exceptions.rootException;
      return {
        reachable: true,
        state: details.state,
        restarts: details.restarts,
        ...(completed?.externalPath
          ? { latestCompleted: { id: completed.id, path: completed.externalPath, time: new Date(completed.latestAckTimestamp ?? completed.triggerTimestamp) } }
          : {}),
        ...(savepoint?.externalPath && savepoint.status === 'COMPLETED'
          ? { latestSavepoint: { path: savepoint.externalPath, time: new Date(savepoint.latestAckTimestamp ?? savepoint.triggerTimestamp) } }
          : {}),
        ...(root ? { rootException: { name: root.exceptionName, message: root.message, time: new Date(root.timestamp) } } : {}),
      };
    } catch (err) {
      return { reachable: false, error: (err as Error).message };
    }
  }

  async savepointStatus(baseUrl: string, jobId: string, triggerId: string): Promise<SavepointTriggerObservation> {
    try {
      const status = await this.request<SavepointStatus>(
        'GET',
        `${baseUrl}/jobs/${encodeURIComponent(jobId)}/savepoints/${encodeURIComponent(triggerId)}`,
      );
      if (status.status.id === 'IN_PROGRESS') return { status: 'IN_PROGRESS' };
      const operation = status.operation;
      if (operation && 'location' in operation) return { status: 'COMPLETED', location: operation.location };
      return { status: 'FAILED', cause: operation && 'failureCause' in operation ? operation.failureCause : 'no location reported' };
    } catch (err) {
      return { status: 'UNREACHABLE', error: (err as Error).message };
    }
  }

  async triggerSavepoint(baseUrl: string, jobId: string): Promise<string> {
    return (await this.request<TriggerResponse>('POST', `${baseUrl}/jobs/${encodeURIComponent(jobId)}/savepoints`, {})).triggerId;
  }

  async stopWithSavepoint(baseUrl: string, jobId: string): Promise<string> {
    return (await this.request<TriggerResponse>('POST', `${baseUrl}/jobs/${encodeURIComponent(jobId)}/stop`, { drain: false })).triggerId;
  }

  async cancel(baseUrl: string, jobId: string): Promise<void> {
    await this.request<unknown>('PATCH', `${baseUrl}/jobs/${encodeURIComponent(jobId)}?mode=cancel`);
  }

  private async request<T>(method: string, url: string, body?: unknown): Promise<T> {
    const response = await fetch(url, {
      method,
      signal: AbortSignal.timeout(this.timeoutMs),
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    if (!response.ok) {
      let detail = text;
      try {
        detail = (JSON.parse(text) as { errors?: string[] }).errors?.join('; ') ?? text;
      } catch {
        // not an ErrorResponse: keep the raw text
      }
      throw new Error(`${method} ${url}: HTTP ${response.status}: ${detail}`);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}
