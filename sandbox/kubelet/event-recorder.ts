import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApiClient } from '../kube-api/api-client.ts';
import type { Pod } from '../kube-api/kube-types.ts';

export type EventType = 'Normal' | 'Warning';

/** Records core/v1 Events about pods, as the kubelet does (what `kubectl describe pod` lists). */
export interface EventRecorder {
  event(pod: Pod, type: EventType, reason: string, message: string, fieldPath?: string): void;
}

/** Posts each event without waiting; a failed post is logged, never retried (events are best effort). */
export function apiEventRecorder(api: ApiClient, nodeName: string, logger: Logger): EventRecorder {
  return {
    event(pod, type, reason, message, fieldPath) {
      const ns = pod.metadata.namespace ?? 'default';
      const now = new Date().toISOString();
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${pod.metadata.name}.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`, namespace: ns },
        involvedObject: {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: ns,
          name: pod.metadata.name,
          uid: pod.metadata.uid,
          ...(fieldPath === undefined ? {} : { fieldPath }),
        },
        reason,
        message,
        type,
        source: { component: 'kubelet', host: nodeName },
        reportingComponent: 'kubelet',
        reportingInstance: nodeName,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      api.request('POST', `/api/v1/namespaces/${ns}/events`, body).catch((err: unknown) => logger.debug({ err, reason }, 'event not recorded'));
    },
  };
}
