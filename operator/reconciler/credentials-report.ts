import type { V1Pod } from '@kubernetes/client-node';
import type { CredentialsSecretState } from '../lifecycle/semantic-checks.ts';

/** client-go's message when a `secretKeyRef` names a key the Secret lacks (kubelet_pods.go). */
const MISSING_KEY = /^couldn't find key (\S+) in Secret [^/]+\/(.+)$/;

/**
 * What the pods' kubelets report about the credentials Secret `name`: the operator never reads
 * Secrets, so it learns that one is missing or incomplete the way a person would, from a container
 * waiting with `CreateContainerConfigError` and the kubelet's message (`secret "x" not found`,
 * `couldn't find key K in Secret ns/x`). Nothing reported: no absent keys.
 */
export function credentialsReport(name: string | undefined, pods: readonly V1Pod[]): CredentialsSecretState {
  if (name === undefined) return undefined;
  const absentKeys = new Set<string>();
  for (const pod of pods) {
    for (const container of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const waiting = container.state?.waiting;
      if (waiting?.reason !== 'CreateContainerConfigError' || waiting.message === undefined) continue;
      if (waiting.message === `secret "${name}" not found`) return { name, missing: true };
      const key = MISSING_KEY.exec(waiting.message);
      if (key !== null && key[2] === name) absentKeys.add(key[1]!);
    }
  }
  return { name, absentKeys: [...absentKeys].sort() };
}
