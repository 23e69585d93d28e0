import { join } from 'node:path';
import { Watch } from '@kubernetes/client-node';
import { argocdHealth, type Health } from '../../support/argocd-health.ts';
import { kstatusOf, type KstatusResult } from '../../support/kstatus.ts';
import { root, type E2eCluster } from './cluster.ts';

const SCRIPT = join(root, 'charts/sluice-operator/argocd/health.lua');

/** A StreamJob as the API server returned it (kubectl get sj -o json, or a watch event). */
export type StreamJobObject = { apiVersion: string; kind: string; metadata: { name: string; generation?: number; resourceVersion?: string }; status?: Record<string, unknown> };

/** What GitOps tools read from one StreamJob object. */
export interface GitOpsHealth {
  /** The chart's Argo CD health check, run by gopher-lua as Argo CD runs it and by Debian's lua5.4 (which must agree). */
  argocd: Health;
  /** kstatus's status: what Flux's health checks and `kpt live status` compute. */
  kstatus: KstatusResult;
}

export async function gitOpsHealth(object: StreamJobObject): Promise<GitOpsHealth> {
  const [argocd, lua54, kstatus] = await Promise.all([argocdHealth('gopher-lua', SCRIPT, object), argocdHealth('lua5.4', SCRIPT, object), kstatusOf(object)]);
  if (argocd.status !== lua54.status || argocd.message !== lua54.message) {
    throw new Error(`gopher-lua and lua5.4 disagree on ${object.metadata.name}@${object.metadata.resourceVersion}: ${JSON.stringify(argocd)} vs ${JSON.stringify(lua54)}`);
  }
  return { argocd, kstatus };
}

/** The StreamJob `name` now, as `kubectl get sj NAME -o json` prints it, and what GitOps tools read from it. */
export async function captureGitOpsHealth(cluster: E2eCluster, name: string): Promise<GitOpsHealth & { object: StreamJobObject }> {
  const object = JSON.parse(await cluster.kubectlOk(['get', 'sj', name, '-o', 'json'])) as StreamJobObject;
  return { object, ...(await gitOpsHealth(object)) };
}

/**
 * Every version of one StreamJob the API server sends a watch from the moment it starts (the
 * current object first), so that a test sees each status the operator wrote during a transition,
 * however briefly it lasted.
 */
export class StreamJobHistory {
  private readonly versions: StreamJobObject[] = [];
  private request?: { abort(): void };
  private failure?: unknown;

  private constructor() {}

  static async watch(cluster: E2eCluster, name: string): Promise<StreamJobHistory> {
    const history = new StreamJobHistory();
    history.request = await new Watch(cluster.kc).watch(
      `/apis/sluice.dev/v1alpha1/namespaces/${cluster.namespace}/streamjobs`,
      { fieldSelector: `metadata.name=${name}` },
      (type: string, object: StreamJobObject) => {
        if (type === 'ADDED' || type === 'MODIFIED') history.versions.push(object);
      },
      (err: unknown) => {
        if (err && history.request !== undefined) history.failure = err;
      },
    );
    return history;
  }

  /** The newest version seen so far. */
  latest(): StreamJobObject | undefined {
    return this.versions.at(-1);
  }

  /** Forgets every version seen but the newest: the history starts from now. */
  forget(): void {
    this.versions.splice(0, this.versions.length - 1);
  }

  /** Stops watching; the versions seen, oldest first. */
  stop(): StreamJobObject[] {
    const request = this.request;
    this.request = undefined;
    request?.abort();
    if (this.failure !== undefined) throw new Error(`the StreamJob watch ended early: ${String(this.failure)}`);
    return this.versions;
  }
}

/**
 * What Argo CD and kstatus said of each version, with repeats in a row folded: e.g. Healthy,
 * Progressing, Healthy across an upgrade.
 */
export async function healthSequence(versions: readonly StreamJobObject[]): Promise<{ argocd: string[]; kstatus: string[] }> {
  const readings = await Promise.all(versions.map(gitOpsHealth));
  const fold = (statuses: string[]) => statuses.filter((s, i) => i === 0 || s !== statuses[i - 1]);
  return { argocd: fold(readings.map((r) => r.argocd.status)), kstatus: fold(readings.map((r) => r.kstatus.status)) };
}
