import { describe, it, expect } from '@jest/globals';
import { resolutionTable } from '../../../sandbox/dns/resolution-table.ts';
import type { Endpoints, Pod, Service } from '../../../sandbox/kubelet/kube-types.ts';

const service = (ns: string, name: string, clusterIP?: string): Service => ({ metadata: { namespace: ns, name }, spec: { ...(clusterIP ? { clusterIP } : {}), ports: [{ port: 80 }] } });
const endpoints = (ns: string, name: string, ready: string[], notReady: string[] = []): Endpoints => ({
  metadata: { namespace: ns, name },
  subsets: [{ addresses: ready.map((ip) => ({ ip })), notReadyAddresses: notReady.map((ip) => ({ ip })), ports: [{ port: 80 }] }],
});
const pod = (ns: string, name: string, ip: string, ready: boolean, subdomain?: string, hostname?: string): Pod => ({
  metadata: { namespace: ns, name },
  spec: { containers: [], ...(subdomain ? { subdomain } : {}), ...(hostname ? { hostname } : {}) },
  status: { podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('cluster DNS resolution table', () => {
  it('maps Services to ready endpoints, headless ones to all of them, and pod hostnames under a headless subdomain', () => {
    const table = resolutionTable({
      clusterDomain: 'cluster.local',
      services: [service('jobs', 'web', '10.0.0.5'), service('jobs', 'rpc', 'None'), service('jobs', 'idle'), service('jobs', 'gone', 'None'), service('default', 'kubernetes', '10.0.0.1')],
      endpoints: [endpoints('jobs', 'web', ['127.0.7.3']), endpoints('jobs', 'rpc', ['127.0.7.4', '127.0.7.2'], ['127.0.7.9']), endpoints('jobs', 'idle', [], ['127.0.7.8'])],
      pods: [pod('jobs', 'tm-0', '127.0.7.4', true, 'rpc', 'taskmanager-0'), pod('jobs', 'jm', '127.0.7.2', true, 'rpc'), pod('jobs', 'tm-1', '127.0.7.9', false, 'rpc'), pod('jobs', 'x', '127.0.7.6', true, 'web')],
      apiServerAddress: '127.0.7.1',
      noEndpointsAddress: '127.0.7.255',
    });
    expect(table.names).toEqual({
      'web.jobs.svc.cluster.local': ['127.0.7.3'],
      'rpc.jobs.svc.cluster.local': ['127.0.7.2', '127.0.7.4'],
      'idle.jobs.svc.cluster.local': ['127.0.7.255'],
      'kubernetes.default.svc.cluster.local': ['127.0.7.1'],
      'taskmanager-0.rpc.jobs.svc.cluster.local': ['127.0.7.4'],
      'jm.rpc.jobs.svc.cluster.local': ['127.0.7.2'],
    });
  });
});
