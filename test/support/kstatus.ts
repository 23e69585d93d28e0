// kstatus's reading of a Kubernetes object (sandbox/gitops/kstatus: sigs.k8s.io/cli-utils), what Flux's
// health checks and `kpt live status` compute.
import { spawnSync } from 'node:child_process';
import { ensureBinaries } from '../../sandbox/binaries/binaries.ts';

export interface KstatusResult {
  status: 'InProgress' | 'Failed' | 'Current' | 'Terminating' | 'Unknown';
  message: string;
}

export async function kstatusOf(object: unknown): Promise<KstatusResult> {
  const { kstatus } = await ensureBinaries(['kstatus']);
  const run = spawnSync(kstatus!, { input: JSON.stringify(object), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`kstatus failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as KstatusResult;
}
