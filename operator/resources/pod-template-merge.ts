import type { V1Pod } from '@kubernetes/client-node';
import type { PodTemplate } from '../api/stream-job-spec.ts';

type Json = Record<string, unknown>;

/** Lists of these fields are merged item by item on the named key, as strategic merge does. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  tolerations: 'key',
};

/**
 * Merges a StreamJob's podTemplate into a pod the operator built. The operator's own settings win
 * where both set a field (so a template cannot rename the container or change its command), the
 * template adds everything else: sidecars, volumes, env, node selectors, tolerations, labels.
 */
export function mergePodTemplate(pod: V1Pod, template: PodTemplate | undefined): V1Pod {
  if (template === undefined) return pod;
  const metadata = {
    ...pod.metadata,
    labels: { ...template.metadata?.labels, ...pod.metadata?.labels },
    annotations: { ...template.metadata?.annotations, ...pod.metadata?.annotations },
  };
  const spec = mergeObjects((template.spec ?? {}) as Json, (pod.spec ?? {}) as Json) as unknown as V1Pod['spec'];
  return { ...pod, metadata, spec };
}

/** `ours` wins on scalars; objects merge recursively; keyed lists merge item by item on their key. */
function mergeObjects(theirs: Json, ours: Json): Json {
  const result: Json = { ...theirs };
  for (const [key, value] of Object.entries(ours)) {
    const other = theirs[key];
    if (Array.isArray(value) && Array.isArray(other) && MERGE_KEYS[key] !== undefined) {
      result[key] = mergeLists(other as Json[], value as Json[], MERGE_KEYS[key]);
    } else if (isObject(value) && isObject(other)) {
      result[key] = mergeObjects(other, value);
    } else {
      result[key] = value;
    }
  }
  return result;
}

function mergeLists(theirs: Json[], ours: Json[], key: string): Json[] {
  const theirsByKey = new Map(theirs.map((item) => [item[key], item]));
  const ownKeys = new Set(ours.map((item) => item[key]));
  // The operator's items first: its main container stays containers[0], and template env may refer to its variables.
  return [
    ...ours.map((item) => {
      const template = theirsByKey.get(item[key]);
      return template === undefined ? item : mergeObjects(template, item);
    }),
    ...theirs.filter((item) => !ownKeys.has(item[key])),
  ];
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

