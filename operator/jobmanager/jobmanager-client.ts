import type {
  CheckpointingStatistics,
  JobDetails,
  JobExceptions,
  JobState,
  SavepointDisposalStatus,
  SavepointStatus,
  TriggerResponse,
} from '../../runtime/rest/rest-types.ts';
import { deriveRunKey, restToken } from '../../runtime/rest/run-key.ts';

/** What the operator learns about a running job in one poll. */
export type JobObservation =
  | {
      reachable: true;
      state: JobState;
      restarts: number;
      /** When this JobManager started the job: another time is another JobManager (a replaced pod or container). */
      startTime?: Date;
      latestCompleted?: { id: number; path: string; time: Date };
      latestSavepoint?: { path: string; time: Date };
      rootException?: { name: string; message: string; time: Date };
      /** Completed checkpoints the JobManager skipped when it restored, with the reason. */
      skippedOnRestore?: readonly { path: string; reason: string }[];
      /** The last failure of checkpoint retention, if any since the JobManager started. */
      retentionFailure?: { failures: number; time: Date; message: string; checkpointsLeftBehind: number | null };
    }
  | { reachable: false; error: string };

export type SavepointTriggerObservation =
  | { status: 'IN_PROGRESS' }
  | { status: 'COMPLETED'; location: string }
  | { status: 'FAILED'; cause: string }
  | { status: 'UNREACHABLE'; error: string };

/** A savepoint disposal: done (the files are gone), in flight, failed (tried again), or refused for good (400: not this job's savepoint). */
export type SavepointDisposalObservation =
  | { status: 'IN_PROGRESS' }
  | { status: 'COMPLETED' }
  | { status: 'FAILED'; cause: string };

/** A JobManager's answer other than 2xx, with its HTTP status. */
export class JobManagerRequestError extends Error {
  override readonly name = 'JobManagerRequestError';

  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The seam the reconciler talks through; tests can give it a server of their own. */
export interface JobManagerApi {
  observe(baseUrl: string, jobId: string): Promise<JobObservation>;
  savepointStatus(baseUrl: string, jobId: string, triggerId: string): Promise<SavepointTriggerObservation>;
  triggerSavepoint(baseUrl: string, jobId: string): Promise<string>;
  stopWithSavepoint(baseUrl: string, jobId: string): Promise<string>;
  cancel(baseUrl: string, jobId: string): Promise<void>;
  /** `POST /savepoint-disposal`: the trigger id; rejects with a {@link JobManagerRequestError} when refused. */
  disposeSavepoint(baseUrl: string, jobId: string, path: string): Promise<string>;
  savepointDisposalStatus(baseUrl: string, jobId: string, triggerId: string): Promise<SavepointDisposalObservation>;
}

/** A JobManager reply larger than this is refused unread: the operator holds one reply per reconcile, never more. */
export const MAX_REPLY_BYTES = 1 << 20;

/**
 * Reads a run's JobManager through its REST API (runtime/rest/rest-types.ts, the only thing the
 * operator knows of the runtime). Every call has a timeout (a hung JobManager never stalls a
 * reconcile) and reads at most {@link MAX_REPLY_BYTES} of the reply. Every call carries the run's
 * bearer token, derived from the operator's key and the job id (runtime/rest/run-key.ts): the
 * operator never reads the run's Secret back.
 */
export class JobManagerClient implements JobManagerApi {
  constructor(
    private readonly operatorKey: Buffer,
    private readonly timeoutMs = 3000,
    private readonly maxReplyBytes = MAX_REPLY_BYTES,
  ) {}

  async observe(baseUrl: string, jobId: string): Promise<JobObservation> {
    try {
      const job = encodeURIComponent(jobId);
      const [details, checkpoints, exceptions] = await Promise.all([
        this.request<JobDetails>('GET', jobId, `${baseUrl}/jobs/${job}`),
        this.request<CheckpointingStatistics>('GET', jobId, `${baseUrl}/jobs/${job}/checkpoints`),
        this.request<JobExceptions>('GET', jobId, `${baseUrl}/jobs/${job}/exceptions`),
      ]);
      const completed = checkpoints.latest.completed;
      const savepoint = checkpoints.latest.savepoint;
      const root = exceptions.rootException;
      const retention = checkpoints.retention;
      return {
        reachable: true,
        state: details.state,
        restarts: details.restarts,
        startTime: new Date(details.startTime),
        ...(completed?.externalPath
          ? { latestCompleted: { id: completed.id, path: completed.externalPath, time: new Date(completed.latestAckTimestamp ?? completed.triggerTimestamp) } }
          : {}),
        ...(savepoint?.externalPath && savepoint.status === 'COMPLETED'
          ? { latestSavepoint: { path: savepoint.externalPath, time: new Date(savepoint.latestAckTimestamp ?? savepoint.triggerTimestamp) } }
          : {}),
        ...(root ? { rootException: { name: root.exceptionName, message: root.message, time: new Date(root.timestamp) } } : {}),
        ...(checkpoints.skippedOnRestore.length > 0 ? { skippedOnRestore: checkpoints.skippedOnRestore.map(({ path, reason }) => ({ path, reason })) } : {}),
        ...(retention?.lastFailure
          ? { retentionFailure: { failures: retention.failures, time: new Date(retention.lastFailure.timestamp), message: retention.lastFailure.message, checkpointsLeftBehind: retention.lastFailure.checkpointsLeftBehind } }
          : {}),
      };
    } catch (err) {
      return { reachable: false, error: (err as Error).message };
    }
  }

  async savepointStatus(baseUrl: string, jobId: string, triggerId: string): Promise<SavepointTriggerObservation> {
    try {
      const status = await this.request<SavepointStatus>(
        'GET',
        jobId,
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
    return (await this.request<TriggerResponse>('POST', jobId, `${baseUrl}/jobs/${encodeURIComponent(jobId)}/savepoints`, {})).triggerId;
  }

  async stopWithSavepoint(baseUrl: string, jobId: string): Promise<string> {
    return (await this.request<TriggerResponse>('POST', jobId, `${baseUrl}/jobs/${encodeURIComponent(jobId)}/stop`, { drain: false })).triggerId;
  }

  async cancel(baseUrl: string, jobId: string): Promise<void> {
    await this.request<unknown>('PATCH', jobId, `${baseUrl}/jobs/${encodeURIComponent(jobId)}?mode=cancel`);
  }

  async disposeSavepoint(baseUrl: string, jobId: string, path: string): Promise<string> {
    return (await this.request<TriggerResponse>('POST', jobId, `${baseUrl}/savepoint-disposal`, { savepointPath: path })).triggerId;
  }

  /** A trigger the JobManager does not know (it was replaced) or does not answer counts as failed: disposal is asked again. */
  async savepointDisposalStatus(baseUrl: string, jobId: string, triggerId: string): Promise<SavepointDisposalObservation> {
    try {
      const status = await this.request<SavepointDisposalStatus>('GET', jobId, `${baseUrl}/savepoint-disposal/${encodeURIComponent(triggerId)}`);
      if (status.status.id === 'IN_PROGRESS') return { status: 'IN_PROGRESS' };
      const cause = status.operation?.failureCause;
      return cause === undefined ? { status: 'COMPLETED' } : { status: 'FAILED', cause };
    } catch (err) {
      return { status: 'FAILED', cause: (err as Error).message };
    }
  }

  private async request<T>(method: string, jobId: string, url: string, body?: unknown): Promise<T> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const response = await fetch(url, {
      method,
      signal,
      headers: {
        authorization: `Bearer ${restToken(deriveRunKey(this.operatorKey, jobId))}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await this.readReply(method, url, response);
    if (!response.ok) {
      let detail = text;
      try {
        detail = (JSON.parse(text) as { errors?: string[] }).errors?.join('; ') ?? text;
      } catch {
        // not an ErrorResponse: keep the raw text
      }
      throw new JobManagerRequestError(`${method} ${url}: HTTP ${response.status}: ${detail}`, response.status);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** The reply's body as text, refused (and the connection dropped) once it exceeds the limit. */
  private async readReply(method: string, url: string, response: Response): Promise<string> {
    const tooLarge = () => new Error(`${method} ${url}: HTTP ${response.status}: reply larger than ${this.maxReplyBytes} bytes, not read`);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > this.maxReplyBytes) {
      await response.body?.cancel();
      throw tooLarge();
    }
    if (response.body === null) return '';
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      size += read.value.byteLength;
      if (size > this.maxReplyBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(read.value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
