import { describe, it, expect } from '@jest/globals';
import type { ApiClient } from '../../../../sandbox/kube-api/api-client.ts';
import { tokenRequestSource } from '../../../../sandbox/kubelet/token-manager.ts';

describe("the kubelet's service-account token source", () => {
  it('asks for pod-bound tokens and reuses each until 80 % of its requested lifetime has passed', async () => {
    const requests: [string, unknown][] = [];
    const api = {
      async request(_method: string, path: string, body: unknown) {
        requests.push([path, body]);
        return { status: { token: `token-${requests.length}` } };
      },
    } as unknown as ApiClient;
    let now = 1_000_000;
    const tokens = tokenRequestSource(api, () => now);
    const pod = { namespace: 'jobs', name: 'tm-0', uid: 'u-1' };

    expect(await tokens.serviceAccountToken(pod, 'runner', undefined, 3600)).toBe('token-1');
    expect(requests).toEqual([
      [
        '/api/v1/namespaces/jobs/serviceaccounts/runner/token',
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'tm-0', uid: 'u-1' } },
        },
      ],
    ]);
    now += 2879_000;
    expect(await tokens.serviceAccountToken(pod, 'runner', undefined, 3600)).toBe('token-1');
    // another audience, another pod: tokens of their own
    expect(await tokens.serviceAccountToken(pod, 'runner', 'vault', 3600)).toBe('token-2');
    expect((requests[1]![1] as { spec: { audiences: string[] } }).spec.audiences).toEqual(['vault']);
    expect(await tokens.serviceAccountToken({ ...pod, name: 'tm-1', uid: 'u-2' }, 'runner', undefined, 3600)).toBe('token-3');
    now += 1_000;
    expect(await tokens.serviceAccountToken(pod, 'runner', undefined, 3600)).toBe('token-4');
    // the default lifetime is the API server's admission default, 3607 s
    expect(await tokens.serviceAccountToken(pod, 'runner')).toBe('token-5');
    expect((requests[4]![1] as { spec: { expirationSeconds: number } }).spec.expirationSeconds).toBe(3607);
    expect(requests).toHaveLength(5);
  });
});
