import type { ApiClient } from '../kube-api/api-client.ts';
import type { TokenSource } from './pod-volumes.ts';

/** A refresh is due at 80 % of a token's lifetime, or after 24 h at the latest, as the kubelet's token manager does. */
const TOKEN_REFRESH_FRACTION = 0.8;
const TOKEN_MAX_AGE_MS = 24 * 3600 * 1000;

/**
 * Service-account tokens through the TokenRequest API (`serviceaccounts/<name>/token`), bound to
 * the pod, as the kubelet gets them. Cached like the kubelet's token manager caches them: the
 * periodic volume sync reuses a token until 80 % of its requested lifetime has passed, instead of
 * asking the API server (an RSA signature each time) for a new one every sync.
 */
export function tokenRequestSource(api: ApiClient, now: () => number = Date.now): TokenSource {
  const cache = new Map<string, { token: string; refreshAt: number }>();
  return {
    async serviceAccountToken(pod, sa, audience, expirationSeconds) {
      const seconds = expirationSeconds ?? 3607;
      const key = JSON.stringify([pod.uid, pod.namespace, sa, audience ?? null, seconds]);
      const cached = cache.get(key);
      if (cached !== undefined && now() < cached.refreshAt) return cached.token;
      const response = await api.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${pod.namespace}/serviceaccounts/${sa}/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          ...(audience === undefined ? {} : { audiences: [audience] }),
          expirationSeconds: seconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid },
        },
      });
      const issued = now();
      for (const [k, entry] of cache) if (entry.refreshAt <= issued) cache.delete(k);
      cache.set(key, { token: response.status.token, refreshAt: issued + Math.min(seconds * 1000 * TOKEN_REFRESH_FRACTION, TOKEN_MAX_AGE_MS) });
      return response.status.token;
    },
  };
}
