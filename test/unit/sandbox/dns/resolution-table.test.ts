import { describe, it, expect } from '@jest/globals';
import { resolutionTable } from '../../../../sandbox/dns/resolution-table.ts';
import type { Pod, Service } from '../../../../sandbox/kube-api/kube-types.ts';

const service = (ns: string, name: string, selector: Record<string, string> | undefined, clusterIP?: string): Service => ({
  metadata: { namespace: ns, name },
  spec: { ...(clusterIP ? { clusterIP } : {}), ...(selector ? { selector } : {}), ports: [{ port: 80 }] },
});
const pod = (ns: string, name: string, labels: Record<string, string>, ip: string | undefined, ready: boolean, extra: { subdomain?: string; hostname?: string; deleting?: boolean } = {}): Pod => ({
  metadata: { namespace: ns, name, labels, ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { containers: [], ...(extra.subdomain ? { subdomain: extra.subdomain } : {}), ...(extra.hostname ? { hostname: extra.hostname } : {}) },
  status: { ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('cluster DNS resolution table', () => {
  it("maps a Service to the ready pods its selector matches in its namespace, headless ones and pod hostnames under a headless subdomain alike", () => {
    const table = resolutionTable({
      clusterDomain: 'cluster.local',
      services: [
        service('jobs', 'web', { app: 'web' }, '127.200.0.5'),
        service('jobs', 'rpc', { app: 'flink', component: 'rpc' }, 'None'),
        service('jobs', 'idle', { app: 'idle' }, '127.200.0.6'),
        service('jobs', 'gone', { app: 'gone' }, 'None'),
        service('jobs', 'external', undefined, '127.200.0.7'),
        service('default', 'kubernetes', undefined, '127.200.0.1'),
      ],
      pods: [
        pod('jobs', 'web-1', { app: 'web' }, '127.0.7.3', true),
        // not ready, being deleted, without an address, or in another namespace: never an endpoint
        pod('jobs', 'web-2', { app: 'web' }, '127.0.7.5', false),
        pod('jobs', 'web-3', { app: 'web' }, '127.0.7.10', true, { deleting: true }),
        pod('jobs', 'web-4', { app: 'web' }, undefined, true),
        pod('other', 'web-5', { app: 'web' }, '127.0.7.11', true),
        pod('jobs', 'tm-0', { app: 'flink', component: 'rpc' }, '127.0.7.4', true, { subdomain: 'rpc', hostname: 'taskmanager-0' }),
        pod('jobs', 'jm', { app: 'flink', component: 'rpc' }, '127.0.7.2', true, { subdomain: 'rpc' }),
        pod('jobs', 'tm-1', { app: 'flink', component: 'rpc' }, '127.0.7.9', false, { subdomain: 'rpc' }),
        // matches only part of rpc's selector; its subdomain names a Service that is not headless
        pod('jobs', 'x', { app: 'flink' }, '127.0.7.6', true, { subdomain: 'web' }),
        pod('jobs', 'idle-0', { app: 'idle' }, '127.0.7.8', false),
      ],
      apiServerAddress: '127.0.7.1',
      noEndpointsAddress: '127.0.7.255',
    });
    expect(table.names).toEqual({
      'web.jobs.svc.cluster.local': ['127.0.7.3'],
      'rpc.jobs.svc.cluster.local': ['127.0.7.2', '127.0.7.4'],
      'idle.jobs.svc.cluster.local': ['127.0.7.255'],
      'external.jobs.svc.cluster.local': ['127.0.7.255'],
      'kubernetes.default.svc.cluster.local': ['127.0.7.1'],
      'taskmanager-0.rpc.jobs.svc.cluster.local': ['127.0.7.4'],
      'jm.rpc.jobs.svc.cluster.local': ['127.0.7.2'],
    });
  });
});
