import type { CoreV1Event } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { StreamJob } from '../api/stream-job.ts';
import { boundedText } from '../api/bounded-text.ts';
import { rfc3339 } from '../api/time.ts';
import type { EventSpec } from '../lifecycle/decision.ts';
import { isStatus } from './kube-objects.ts';
import type { KubeObjects } from './kube-objects.ts';

const CACHE_LIMIT = 4096;

/**
 * Kubernetes Events about StreamJobs, deduplicated as client-go's event recorder does: the same
 * type/reason/message for the same object within the cache's memory bumps `count` and
 * `lastTimestamp` of the existing Event instead of creating another.
 */
export class EventRecorder {
  private readonly seen = new Map<string, { name: string; count: number }>();
  private sequence = 0;

  constructor(
    private readonly kube: KubeObjects,
    private readonly logger: Logger,
    private readonly host: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Never throws: an Event that cannot be written is logged, the reconcile goes on. */
  async record(job: StreamJob, spec: EventSpec): Promise<void> {
    // A message may carry a JobManager's exception: cut to a few KiB.
    const event = { ...spec, message: boundedText(spec.message) };
    const key = `${job.metadata.uid}\u0000${event.type}\u0000${event.reason}\u0000${event.message}`;
    const time = rfc3339(this.now());
    const namespace = job.metadata.namespace!;
    try {
      const previous = this.seen.get(key);
      if (previous) {
        previous.count++;
        this.seen.delete(key);
        this.seen.set(key, previous);
        try {
          await this.kube.patchEvent(namespace, previous.name, { count: previous.count, lastTimestamp: time });
          return;
        } catch (err) {
          // Events expire (an hour on a real cluster): an expired one is created anew.
          if (!isStatus(err, 404)) throw err;
          this.seen.delete(key);
        }
      }
      const name = `${job.metadata.name}.${Date.now().toString(16)}${(this.sequence++ % 4096).toString(16).padStart(3, '0')}`;
      const body: CoreV1Event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: job.apiVersion,
          kind: job.kind,
          name: job.metadata.name!,
          namespace,
          uid: job.metadata.uid!,
          resourceVersion: job.metadata.resourceVersion!,
        },
        type: event.type,
        reason: event.reason,
        message: event.message,
        source: { component: 'sluice-operator', host: this.host },
        reportingComponent: 'sluice.dev/operator',
        reportingInstance: this.host,
        count: 1,
        firstTimestamp: time as unknown as Date,
        lastTimestamp: time as unknown as Date,
      };
      await this.kube.createEvent(body);
      this.seen.set(key, { name, count: 1 });
      if (this.seen.size > CACHE_LIMIT) this.seen.delete(this.seen.keys().next().value!);
    } catch (err) {
      this.logger.warn({ err, reason: event.reason, job: `${namespace}/${job.metadata.name}` }, 'could not record event');
    }
  }
}
