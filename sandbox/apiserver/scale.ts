import { badRequest } from './api-error.ts';
import { evaluateJsonPath } from './json-path.ts';
import type { KObject, ScaleSubresource } from './resource-type.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- Scale JSON

/** The autoscaling/v1 Scale view of an object with a scale subresource. */
export function toScale(obj: KObject, scale: ScaleSubresource): KObject {
  const replicas = evaluateJsonPath(scale.specReplicasPath, obj)[0];
  const statusReplicas = evaluateJsonPath(scale.statusReplicasPath, obj)[0];
  const selector = scale.labelSelectorPath ? evaluateJsonPath(scale.labelSelectorPath, obj)[0] : undefined;
  const m = obj.metadata;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: {
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, ...(typeof selector === 'string' ? { selector } : {}) },
  };
}

/** Writes a Scale's spec.replicas back into the object at specReplicasPath. */
export function withScale(obj: KObject, scaleObject: J, scale: ScaleSubresource): KObject {
  const replicas = scaleObject?.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
    throw badRequest(`spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  const result = structuredClone(obj) as J;
  const keys = scale.specReplicasPath.replace(/^\./, '').split('.');
  let node = result;
  for (const k of keys.slice(0, -1)) node = node[k] ??= {};
  node[keys[keys.length - 1]!] = replicas;
  if (scaleObject.metadata?.resourceVersion) result.metadata.resourceVersion = scaleObject.metadata.resourceVersion;
  return result as KObject;
}
