import { renameSync, writeFileSync } from 'node:fs';
import type { Pod, Service } from '../kube-api/kube-types.ts';

/** What the DNS preload (`preload.cjs`) reads: fully qualified name → IPv4 addresses. */
export interface ResolutionTable {
  names: Record<string, string[]>;
}

export interface ResolutionInput {
  clusterDomain: string;
  services: Service[];
  /** Every pod in the cluster: a Service's endpoints are its ready pods that its selector matches. */
  pods: Pod[];
  /** Address of the `kubernetes` Service (the kubelet's API server proxy). */
  apiServerAddress: string;
  /**
   * Address answered for a normal Service without ready endpoints: nothing listens there, so a
   * connection is refused, as kube-proxy rejects connections to a Service without endpoints.
   */
  noEndpointsAddress: string;
}

/**
 * Cluster DNS records per the Kubernetes DNS specification: `<svc>.<ns>.svc.<domain>` is the
 * Service's address (here a ready endpoint, since there is no ClusterIP proxy) or, when headless,
 * every ready endpoint address; `<hostname>.<subdomain>.<ns>.svc.<domain>` is a ready pod whose
 * subdomain names a headless Service in its namespace.
 *
 * Endpoints are computed from the Service's selector and the pods, as the EndpointSlice controller
 * does: the real API server refuses loopback addresses in Endpoints and EndpointSlices, and pod
 * addresses here are loopback, so the cluster's own EndpointSlices stay empty.
 */
export function resolutionTable(input: ResolutionInput): ResolutionTable {
  const names: Record<string, string[]> = {};
  const suffix = `svc.${input.clusterDomain}`;
  const headless = new Set<string>();
  for (const service of input.services) {
    const ns = service.metadata.namespace ?? 'default';
    const key = `${ns}/${service.metadata.name}`;
    const fqdn = `${service.metadata.name}.${ns}.${suffix}`;
    const isHeadless = service.spec?.clusterIP === 'None';
    if (isHeadless) headless.add(key);
    const ready = readyAddresses(service, input.pods);
    if (ns === 'default' && service.metadata.name === 'kubernetes') names[fqdn] = [input.apiServerAddress];
    else if (ready.length > 0) names[fqdn] = ready;
    else if (!isHeadless) names[fqdn] = [input.noEndpointsAddress];
  }
  names[`kubernetes.default.${suffix}`] = [input.apiServerAddress];
  for (const pod of input.pods) {
    const ns = pod.metadata.namespace ?? 'default';
    const { hostname, subdomain } = pod.spec;
    const ip = pod.status?.podIP;
    if (subdomain === undefined || ip === undefined || !headless.has(`${ns}/${subdomain}`)) continue;
    if (!isReady(pod)) continue;
    names[`${hostname ?? pod.metadata.name}.${subdomain}.${ns}.${suffix}`] = [ip];
  }
  return { names };
}

const isReady = (pod: Pod) => pod.metadata.deletionTimestamp === undefined && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Addresses of the ready pods in the Service's namespace that its selector matches (none without a selector). */
function readyAddresses(service: Service, pods: Pod[]): string[] {
  const selector = Object.entries(service.spec?.selector ?? {});
  if (selector.length === 0) return [];
  const ns = service.metadata.namespace ?? 'default';
  const ips = new Set<string>();
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (ip === undefined || (pod.metadata.namespace ?? 'default') !== ns || !isReady(pod)) continue;
    if (selector.every(([k, v]) => pod.metadata.labels?.[k] === v)) ips.add(ip);
  }
  return [...ips].sort();
}

/** Replaces the table file atomically, so a reading process never sees half a file. */
export function writeResolutionTable(path: string, table: ResolutionTable): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(table));
  renameSync(tmp, path);
}
