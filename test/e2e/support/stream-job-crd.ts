import { join } from 'node:path';
import { root, type E2eCluster } from './cluster.ts';

/**
 * The StreamJob CRD is cluster-scoped and shared by every e2e file: applied as the chart's README
 * says to upgrade it (server-side, taking fields over from helm), which changes nothing when it is
 * already there, and never deleted by a file.
 */
export async function applyStreamJobCrd(cluster: E2eCluster): Promise<void> {
  await cluster.kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', join(root, 'crds')]);
  await cluster.kubectlOk(['wait', '--for=condition=Established', 'crd/streamjobs.sluice.dev', '--timeout=30s']);
}
