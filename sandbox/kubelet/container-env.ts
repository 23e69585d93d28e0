import type { ConfigMap, Container, Pod, ResourceFieldSelector, Secret } from '../kube-api/kube-types.ts';

/** Reads referenced objects from the kubelet's caches / the API server. */
export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

/** A reference that cannot be satisfied: the container waits with `CreateContainerConfigError`. */
export class ContainerConfigError extends Error {}

/** Values of the downward API `fieldRef` paths the kubelet supports. */
export function podFieldValue(pod: Pod, fieldPath: string): string {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (labelOrAnnotation) {
    const map = labelOrAnnotation[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[labelOrAnnotation[2]!] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((p) => p.ip).join(',');
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((p) => p.ip).join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldRef fieldPath "${fieldPath}"`);
  }
}

function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}="${map![k]}"`)
    .join('\n');
}

/** `resourceFieldRef` values; without limits the node's capacity stands in, as in Kubernetes. */
export function resourceFieldValue(pod: Pod, defaultContainer: string | undefined, ref: ResourceFieldSelector, nodeCapacity: { cpu: number; memoryBytes: number }): string {
  const containerName = ref.containerName ?? defaultContainer;
  const container = pod.spec.containers.find((c) => c.name === containerName);
  if (container === undefined) throw new ContainerConfigError(`resourceFieldRef names unknown container "${containerName}"`);
  const [kind, resource] = ref.resource.split('.') as [string, string];
  const quantity = (kind === 'limits' ? container.resources?.limits : container.resources?.requests)?.[resource];
  const divisor = parseQuantity(String(ref.divisor ?? '1'));
  const fallback = resource === 'cpu' ? nodeCapacity.cpu : resource === 'memory' ? nodeCapacity.memoryBytes : 0;
  const value = quantity === undefined ? (kind === 'limits' ? fallback : 0) : parseQuantity(quantity);
  return String(Math.ceil(value / divisor));
}

const SUFFIXES: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

export function parseQuantity(quantity: string): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(quantity.trim());
  if (!match || (match[2] !== '' && SUFFIXES[match[2]!] === undefined)) throw new ContainerConfigError(`invalid quantity "${quantity}"`);
  return Number(match[1]) * (match[2] === '' ? 1 : SUFFIXES[match[2]!]!);
}

/**
 * Expands `$(VAR)` references to variables defined earlier, `$$` escaping a `$`; unknown
 * references stay as written (Kubernetes' `expansion.Expand`).
 */
export function expandVariables(input: string, env: ReadonlyMap<string, string>): string {
  return input.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (name === undefined) return '$';
    return env.get(name) ?? match;
  });
}

function decodeSecret(secret: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

/**
 * The container's environment in Kubernetes' order: `envFrom` sources, then `env` entries (later
 * ones override, `$(VAR)` expanded against what came before).
 */
export async function containerEnvironment(
  pod: Pod,
  container: Container,
  source: ObjectSource,
  nodeCapacity: { cpu: number; memoryBytes: number },
): Promise<Map<string, string>> {
  const ns = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    let data: Record<string, string> | undefined;
    if (from.configMapRef) {
      const cm = await source.configMap(ns, from.configMapRef.name);
      if (cm === undefined && !from.configMapRef.optional) throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      data = cm?.data;
    } else if (from.secretRef) {
      const secret = await source.secret(ns, from.secretRef.name);
      if (secret === undefined && !from.secretRef.optional) throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      data = secret === undefined ? undefined : decodeSecret(secret);
    }
    for (const [k, v] of Object.entries(data ?? {})) env.set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const variable of container.env ?? []) {
    const value = await envValue(pod, container, variable, env, source, nodeCapacity);
    if (value !== undefined) env.set(variable.name, value);
  }
  return env;
}

async function envValue(
  pod: Pod,
  container: Container,
  variable: NonNullable<Container['env']>[number],
  env: ReadonlyMap<string, string>,
  source: ObjectSource,
  nodeCapacity: { cpu: number; memoryBytes: number },
): Promise<string | undefined> {
  const ns = pod.metadata.namespace ?? 'default';
  const from = variable.valueFrom;
  if (from === undefined) return expandVariables(variable.value ?? '', env);
  if (from.fieldRef) return podFieldValue(pod, from.fieldRef.fieldPath);
  if (from.resourceFieldRef) return resourceFieldValue(pod, container.name, from.resourceFieldRef, nodeCapacity);
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const configMap = await source.configMap(ns, ref.name);
    // As the kubelet (makeEnvironmentVariables): a missing object and a missing key are told apart.
    if (configMap === undefined && !ref.optional) throw new ContainerConfigError(`configmap "${ref.name}" not found`);
    const value = configMap?.data?.[ref.key];
    if (configMap !== undefined && value === undefined && !ref.optional) throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
    return value;
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const secret = await source.secret(ns, ref.name);
    if (secret === undefined && !ref.optional) throw new ContainerConfigError(`secret "${ref.name}" not found`);
    const value = secret === undefined ? undefined : decodeSecret(secret)[ref.key];
    if (secret !== undefined && value === undefined && !ref.optional) throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
    return value;
  }
  throw new ContainerConfigError(`env ${variable.name}: valueFrom names no source`);
}
