import { timestamp } from '../apiserver/object-meta.ts';
import type { KObject } from '../apiserver/resource-type.ts';
import type { ControllerContext } from './controller-context.ts';

/**
 * Records a core/v1 Event about an object, as the controllers' EventRecorders do (shown by
 * kubectl describe). Best effort, as in Kubernetes: a failed Event never fails the controller.
 */
export function recordEvent(ctx: ControllerContext, component: string, about: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
  const now = timestamp();
  try {
    create(ctx, component, about, type, reason, message, now);
  } catch {
    // the namespace may be terminating; Kubernetes drops such events too
  }
}

function create(ctx: ControllerContext, component: string, about: KObject, type: string, reason: string, message: string, now: string): void {
  ctx.api.create(
    ctx.type('', 'events'),
    about.metadata.namespace ?? 'default',
    {
      metadata: { generateName: `${about.metadata.name}.` },
      involvedObject: {
        apiVersion: about.apiVersion,
        kind: about.kind,
        name: about.metadata.name,
        ...(about.metadata.namespace ? { namespace: about.metadata.namespace } : {}),
        uid: about.metadata.uid,
        resourceVersion: about.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: component,
      reportingInstance: '',
    },
    ctx.user,
  );
}
