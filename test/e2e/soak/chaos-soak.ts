import { join } from 'node:path';
import { stringify } from 'yaml';
import type { E2eCluster } from '../support/cluster.ts';
import { checkpointStats, committedLines, compareLines, countingJobManifest, jobManagerGet, outputDirectory } from '../support/stream-job-runs.ts';
import { expectedLines } from '../operator/fixtures/exactly-once-counting-job.ts';
import { eventually } from '../operator/operator-harness.ts';

export type VictimKind = 'taskmanager' | 'jobmanager' | 'operator';

export interface ChaosSoakOptions {
  seed: number;
  /** Processes to SIGKILL in all (TaskManagers, the JobManager, the operator). */
  kills: number;
  /** Pods to delete besides (the operator re-creates them). */
  podDeletions: number;
  /** Records of the exactly-once counting job, and its source rate per second. */
  records: number;
  rate: number;
  /** The longest pause before a fault (the shortest is a tenth of it). */
  maxPauseMs: number;
  /** S3 bucket (exists) and the name of the StreamJob. */
  bucket: string;
  name: string;
  /** SIGKILLs the operator process and starts another, as its Deployment would; the name of the one killed. */
  killOperator: () => Promise<string>;
  log: (line: string) => void;
}

/** One fault: what was hit, the newest completed checkpoint before it, the checkpoint restored after it. */
export interface Fault {
  kind: VictimKind | 'pod deletion';
  target: string;
  processes: number;
  newestBefore: number | undefined;
  restored: number | undefined;
  /** Completed checkpoints the restore went back past: newestBefore − restored (0 when nothing was lost). */
  checkpointsLost: number | undefined;
}

export interface ChaosSoakFigure {
  seed: number;
  faults: Fault[];
  killsByKind: Record<VictimKind, number>;
  podDeletions: number;
  restores: number;
  records: number;
  lost: number;
  duplicated: number;
  seconds: number;
  equal: boolean;
}

/** mulberry32: a small seeded generator, so that a seed replays the same faults at the same moments. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The chaos soak (issue 12 item 8): the exactly-once counting job (operator/fixtures) run by the
 * helm-installed operator in `cluster`'s namespace, checkpoints in MinIO, output committed by the
 * exactly-once file sink. At seeded random moments it SIGKILLs TaskManager, JobManager and operator
 * processes through the kubelet and deletes pods, each time reading the newest completed checkpoint
 * before and the one restored after, until `kills` processes died; then it waits for the job to
 * finish and compares the committed output with the expected output exactly.
 */
export async function runChaosSoak(cluster: E2eCluster, o: ChaosSoakOptions): Promise<ChaosSoakFigure> {
  const started = Date.now();
  const next = random(o.seed);
  const output = outputDirectory(cluster, o.name);
  await cluster.kubectlOk(['apply', '-f', '-'], stringify(manifest(cluster, o, output)));
  const uid = JSON.parse(await cluster.kubectlOk(['get', 'sj', o.name, '-o', 'json'])).metadata.uid as string;
  const jobId = `${uid}-1`;
  const status = async () => JSON.parse(await cluster.kubectlOk(['get', 'sj', o.name, '-o', 'jsonpath={.status}']) || '{}');
  await eventually('the job Running with a completed checkpoint', async () => {
    const s = await status();
    return s.phase === 'Running' && s.lastCheckpoint ? s : undefined;
  }, 180_000);

  const faults: Fault[] = [];
  const killsByKind: Record<VictimKind, number> = { taskmanager: 0, jobmanager: 0, operator: 0 };
  let killed = 0;
  let deletions = 0;
  const stats = () => checkpointStats(cluster, o.name, 1, jobId);
  const state = async () => {
    try {
      return (await jobManagerGet<{ state: string }>(cluster, o.name, 1, `/jobs/${jobId}`)).state;
    } catch {
      return undefined;
    }
  };
  while (killed < o.kills) {
    if ((await state()) === 'FINISHED') break;
    // A random moment: anywhere between two checkpoints, or in one.
    await new Promise((resolve) => setTimeout(resolve, Math.floor(o.maxPauseMs * (0.1 + 0.9 * next()))));
    const deleting = deletions < o.podDeletions && next() < o.podDeletions / (o.kills + o.podDeletions);
    const roll = next();
    const kind: VictimKind = roll < 0.5 ? 'taskmanager' : roll < 0.75 ? 'jobmanager' : 'operator';
    const target = kind === 'jobmanager' ? `${o.name}-jobmanager` : `${o.name}-taskmanager-${Math.floor(next() * 2)}`;
    const newestBefore = (await stats())?.latest.completed?.id;
    const at = Date.now();
    let processes = 0;
    let victim = target;
    if (kind === 'operator') {
      victim = await o.killOperator();
      processes = 1;
      killed += 1;
      killsByKind.operator += 1;
    } else if (deleting) {
      await cluster.kubectlOk(['delete', 'pod', target, '--wait=false']);
      deletions++;
    } else {
      processes = await cluster.killPod(target);
      if (processes === 0) continue; // between a container's exit and its restart: nothing to kill
      killed += processes;
      killsByKind[kind] += processes;
    }
    const fault: Fault = { kind: deleting && kind !== 'operator' ? 'pod deletion' : kind, target: victim, processes, newestBefore, restored: undefined, checkpointsLost: undefined };
    if (kind !== 'operator') {
      // The job restores once the process (or pod) is back: the first restore after the fault.
      const after = await eventually(`a restore after ${fault.kind} of ${target}`, async () => {
        const r = (await stats())?.latest.restored;
        const now = await state();
        if (r && r.restoreTimestamp >= at && now === 'RUNNING') return { restored: r.id };
        // Killed after the job's last checkpoint: it ends without needing a restore.
        return now === 'FINISHED' ? { restored: r && r.restoreTimestamp >= at ? r.id : undefined } : undefined;
      }, 180_000);
      if (after.restored !== undefined) {
        fault.restored = after.restored;
        fault.checkpointsLost = newestBefore === undefined ? undefined : Math.max(0, newestBefore - after.restored);
      }
    }
    faults.push(fault);
    o.log(`fault ${faults.length}: ${fault.kind} ${victim} (${processes} process${processes === 1 ? '' : 'es'} SIGKILLed), newest checkpoint before ${newestBefore ?? '-'}, restored ${fault.restored ?? '-'}, checkpoints lost ${fault.checkpointsLost ?? '-'}`);
  }
  await eventually('the job Finished', async () => ((await status()).phase === 'Finished' ? true : undefined), 600_000);
  const committed = committedLines(join(output, 'main'));
  const expected = expectedLines(o.records);
  const { lost, duplicated } = compareLines(expected, committed);
  const figure: ChaosSoakFigure = {
    seed: o.seed,
    faults,
    killsByKind,
    podDeletions: deletions,
    restores: faults.filter((f) => f.restored !== undefined).length,
    records: o.records,
    lost,
    duplicated,
    seconds: Math.round((Date.now() - started) / 1000),
    equal: committed.length === expected.length && committed.every((line, i) => line === expected[i]),
  };
  o.log(summary(figure));
  return figure;
}

/** The figure in one line, as the README quotes it. */
export function summary(f: ChaosSoakFigure): string {
  const lostPerFault = f.faults.map((x) => x.checkpointsLost).filter((x) => x !== undefined);
  const kills = f.killsByKind.taskmanager + f.killsByKind.jobmanager + f.killsByKind.operator;
  return (
    `chaos soak seed ${f.seed}: ${kills} processes SIGKILLed (TaskManager ${f.killsByKind.taskmanager}, JobManager ${f.killsByKind.jobmanager}, operator ${f.killsByKind.operator}), ` +
    `${f.podDeletions} pods deleted, ${f.restores} restores, newest checkpoint lost per fault: [${lostPerFault.join(', ')}] (max ${Math.max(0, ...lostPerFault)}), ` +
    `${f.records} records: lost ${f.lost}, duplicated ${f.duplicated}, output ${f.equal ? 'equal to' : 'DIFFERENT from'} the expected output, ${f.seconds} s`
  );
}

function manifest(cluster: E2eCluster, o: ChaosSoakOptions, output: string) {
  // Unlimited restarts, quickly: the soak kills far more often than a real job fails.
  return countingJobManifest(cluster, { name: o.name, output, count: o.records, rate: o.rate, bucket: o.bucket, spec: { restartStrategy: { type: 'fixed-delay', delay: '500ms' } } });
}
