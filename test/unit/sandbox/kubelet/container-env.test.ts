import { describe, it, expect } from '@jest/globals';
import { ContainerConfigError, containerEnvironment, expandVariables, type ObjectSource } from '../../../../sandbox/kubelet/container-env.ts';
import type { ConfigMap, Pod, Secret } from '../../../../sandbox/kube-api/kube-types.ts';

const objects = (configMaps: ConfigMap[], secrets: Secret[]): ObjectSource => ({
  configMap: async (ns, name) => configMaps.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
  secret: async (ns, name) => secrets.find((s) => s.metadata.namespace === ns && s.metadata.name === name),
});
const b64 = (s: string) => Buffer.from(s).toString('base64');
const capacity = { cpu: 4, memoryBytes: 8 * 1024 ** 3 };

describe('container environment', () => {
  it('expands $(VAR) references to earlier variables and $$ to $, leaving unknown ones as written', () => {
    const env = new Map([['POD_IP', '127.0.3.2'], ['PORT', '6123']]);
    expect(expandVariables('--bind=$(POD_IP):$(PORT) $(MISSING) $$(POD_IP) cost=$$5', env)).toBe('--bind=127.0.3.2:6123 $(MISSING) $(POD_IP) cost=$5');
  });

  it('applies envFrom, then env in order with ConfigMap, Secret, downward API and resource values', async () => {
    const pod: Pod = {
      metadata: { namespace: 'jobs', name: 'tm-0', uid: 'u-1', labels: { app: 'tm' } },
      spec: {
        nodeName: 'sandbox-node',
        serviceAccountName: 'runner',
        containers: [
          {
            name: 'main',
            resources: { limits: { memory: '512Mi' } },
            envFrom: [{ configMapRef: { name: 'conf' } }, { prefix: 'S3_', secretRef: { name: 'creds' } }, { configMapRef: { name: 'absent', optional: true } }],
            env: [
              { name: 'MODE', value: 'override' },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
              { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
              { name: 'ADDR', value: '$(POD_IP):9000' },
              { name: 'KEY', valueFrom: { secretKeyRef: { name: 'creds', key: 'key' } } },
              { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'conf', key: 'level' } } },
              { name: 'NONE', valueFrom: { configMapKeyRef: { name: 'conf', key: 'nope', optional: true } } },
              { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
              { name: 'CPUS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
            ],
          },
        ],
      },
      status: { podIP: '127.0.3.2' },
    };
    const source = objects([{ metadata: { namespace: 'jobs', name: 'conf' }, data: { MODE: 'base', level: 'debug' } }], [{ metadata: { namespace: 'jobs', name: 'creds' }, data: { key: b64('s3cr3t') } }]);
    const env = await containerEnvironment(pod, pod.spec.containers[0]!, source, capacity);
    expect(Object.fromEntries(env)).toEqual({
      MODE: 'override',
      level: 'debug',
      S3_key: 's3cr3t',
      POD_NAME: 'tm-0',
      POD_NAMESPACE: 'jobs',
      POD_UID: 'u-1',
      POD_IP: '127.0.3.2',
      NODE: 'sandbox-node',
      SA: 'runner',
      APP: 'tm',
      ADDR: '127.0.3.2:9000',
      KEY: 's3cr3t',
      LEVEL: 'debug',
      MEM_MI: '512',
      CPUS: '4',
    });
  });

  it('refuses a missing required ConfigMap key, naming it', async () => {
    const pod: Pod = { metadata: { namespace: 'jobs', name: 'p' }, spec: { containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'conf', key: 'missing' } } }] }] } };
    const source = objects([{ metadata: { namespace: 'jobs', name: 'conf' }, data: {} }], []);
    await expect(containerEnvironment(pod, pod.spec.containers[0]!, source, capacity)).rejects.toThrow(new ContainerConfigError("couldn't find key missing in ConfigMap jobs/conf"));
  });

  it('tells a missing Secret or ConfigMap from a missing key, in the kubelet\'s words', async () => {
    const env = (valueFrom: object): Pod => ({ metadata: { namespace: 'jobs', name: 'p' }, spec: { containers: [{ name: 'c', env: [{ name: 'X', valueFrom }] }] } });
    const source = objects([], [{ metadata: { namespace: 'jobs', name: 'creds' }, data: {} }]);
    const refused = (pod: Pod) => containerEnvironment(pod, pod.spec.containers[0]!, source, capacity);
    await expect(refused(env({ secretKeyRef: { name: 'absent', key: 'K' } }))).rejects.toThrow(new ContainerConfigError('secret "absent" not found'));
    await expect(refused(env({ secretKeyRef: { name: 'creds', key: 'K' } }))).rejects.toThrow(new ContainerConfigError("couldn't find key K in Secret jobs/creds"));
    await expect(refused(env({ configMapKeyRef: { name: 'absent', key: 'K' } }))).rejects.toThrow(new ContainerConfigError('configmap "absent" not found'));
  });
});
