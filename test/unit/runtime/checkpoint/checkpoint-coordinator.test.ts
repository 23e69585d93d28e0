import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { CheckpointCoordinator, type CheckpointTarget } from '../../../../runtime/checkpoint/checkpoint-coordinator.ts';
import { CheckpointStatsTracker } from '../../../../runtime/checkpoint/checkpoint-stats-tracker.ts';
import { CompletedCheckpointStore } from '../../../../runtime/checkpoint/completed-checkpoint-store.ts';
import { FilesystemObjectStore } from '../../../../runtime/fs/filesystem-object-store.ts';
import { SavepointStore } from '../../../../runtime/checkpoint/savepoint-store.ts';
import { checkpointsDirectory, savepointsDirectory } from '../../../../runtime/checkpoint/storage-layout.ts';
import { uploadSubtaskSnapshot } from '../../../../runtime/checkpoint/subtask-checkpoint-uploader.ts';
import { encodeEntry } from '../../../../runtime/state/state-snapshot.ts';
import { waitUntil } from '../../../support/processes.ts';

const scope = { namespace: 'ns', jobName: 'job' };
const operators = [{ operatorId: 'src', parallelism: 2, maxParallelism: 128 }];

describe('CheckpointCoordinator', () => {
  let dir: string;
  let storage: FilesystemObjectStore;
  const coordinators: CheckpointCoordinator[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-coord-'));
    storage = new FilesystemObjectStore(dir);
  });
  afterEach(() => {
    for (const c of coordinators.splice(0)) c.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A job of two source subtasks whose acks the test controls; by default each acks with a real state file. */
  function start(options: {
    interval?: number;
    timeout?: number;
    minPause?: number;
    retained?: number;
    ack?: 'upload' | 'never' | 'decline';
    /** Whether the completed checkpoint was the job's final one; default never. */
    final?: (id: number) => boolean;
    onComplete?: (id: number) => void;
  }) {
    const events: string[] = [];
    const triggers: number[] = [];
    const signals: AbortSignal[] = [];
    const registry = new Registry();
    const stats = new CheckpointStatsTracker(registry);
    const checkpoints = new CompletedCheckpointStore(storage, scope, 'run', { retained: options.retained });
    const target: CheckpointTarget = {
      triggerCheckpoint({ checkpointId: id, location, savepoint, stop, signal }) {
        events.push(`trigger ${id}${savepoint ? ' savepoint' : ''}${stop ? ' stop' : ''}${coordinator.pendingCheckpointId === id ? '' : ' (not pending!)'}`);
        signals.push(signal);
        triggers.push(Date.now());
        if (options.ack === 'never') return;
        if (options.ack === 'decline') {
          setImmediate(() => coordinator.decline(id, 'subtask 1 could not snapshot'));
          return;
        }
        for (const subtaskIndex of [0, 1]) {
          const snapshot = { operatorId: 'src', subtaskIndex, parallelism: 2, maxParallelism: 128, keyGroupRange: null, keyGroups: [], operatorState: [{ name: 'splits', entries: [encodeEntry({ next: id * 10 + subtaskIndex })] }] };
          void uploadSubtaskSnapshot(location, { vertexId: 'v', subtaskIndex, checkpointId: id, snapshots: [snapshot], alignmentDurationMs: subtaskIndex * 3 }).then(
            (ack) => coordinator.acknowledge(ack),
            (e: unknown) => coordinator.decline(id, (e as Error).message),
          );
        }
      },
      notifyCheckpointComplete: (id) => {
        events.push(`complete ${id}`);
        options.onComplete?.(id);
        return options.final?.(id) ?? false;
      },
      notifyCheckpointAborted: (id) => events.push(`aborted ${id}`),
    };
    const coordinator = new CheckpointCoordinator({
      jobId: 'run',
      operators,
      subtasks: 2,
      checkpoints,
      savepoints: new SavepointStore(storage, scope),
      target,
      stats,
      logger: pino({ level: 'silent' }),
      interval: options.interval,
      timeout: options.timeout ?? 10_000,
      minPause: options.minPause ?? 0,
    });
    coordinators.push(coordinator);
    return { coordinator, checkpoints, events, triggers, signals, stats, registry, runDirectory: join(dir, checkpointsDirectory(scope, 'run')) };
  }

  it('triggers periodically one at a time, writes _metadata last, notifies completion, keeps the newest retained', async () => {
    const { coordinator, events, stats, runDirectory } = start({ interval: 20, retained: 2 });
    await coordinator.start();
    await waitUntil(() => stats.statistics().counts.completed >= 4, 'four checkpoints');
    coordinator.stop();
    expect(events.slice(0, 8)).toEqual(['trigger 1', 'complete 1', 'trigger 2', 'complete 2', 'trigger 3', 'complete 3', 'trigger 4', 'complete 4']);
    const latest = stats.statistics().latest.completed!;
    expect(latest).toMatchObject({ status: 'COMPLETED', isSavepoint: false, alignmentDuration: 3 });
    expect(latest.stateSize).toBeGreaterThan(0);
    expect(latest.externalPath).toBe(`file://${runDirectory}/chk-${latest.id}`);
    await waitUntil(() => readdirSync(runDirectory).filter((d) => existsSync(join(runDirectory, d, '_metadata'))).length === 2, 'retention');
  });

  it('continues after the newest checkpoint id found in storage', async () => {
    const first = start({});
    await first.coordinator.start();
    await first.coordinator.triggerCheckpoint();
    await first.coordinator.triggerCheckpoint();
    first.coordinator.stop();
    const second = start({});
    await second.coordinator.start();
    expect((await second.coordinator.triggerCheckpoint()).checkpointId).toBe(3);
  });

  it('aborts a checkpoint that times out (its signal too, and the tasks are told), discards its directory, and tries again', async () => {
    const { coordinator, events, signals, stats, runDirectory } = start({ interval: 10, timeout: 100, ack: 'never' });
    await coordinator.start();
    await waitUntil(() => stats.statistics().counts.failed >= 2, 'two timeouts');
    coordinator.stop();
    expect(events.slice(0, 4)).toEqual(['trigger 1', 'aborted 1', 'trigger 2', 'aborted 2']);
    expect(signals[0]!.aborted).toBe(true);
    expect((signals[0]!.reason as Error).message).toBe('checkpoint 1 of job run aborted: not completed within 100 ms');
    expect(stats.statistics().history.find((s) => s.id === 1)).toMatchObject({ status: 'FAILED', failureMessage: 'not completed within 100 ms' });
    await waitUntil(() => !existsSync(join(runDirectory, 'chk-1')), 'the aborted directory removed');
  });

  it('aborts a declined checkpoint with the reason', async () => {
    const { coordinator } = start({ ack: 'decline' });
    await coordinator.start();
    await expect(coordinator.triggerCheckpoint()).rejects.toThrow('checkpoint 1 of job run aborted: subtask 1 could not snapshot');
  });

  it('waits the minimum pause after a checkpoint ends before the next starts', async () => {
    const { coordinator, triggers, stats } = start({ interval: 1, minPause: 150 });
    await coordinator.start();
    await waitUntil(() => stats.statistics().counts.completed >= 2 && triggers.length >= 3, 'three triggers');
    coordinator.stop();
    expect(triggers[1]! - triggers[0]!).toBeGreaterThanOrEqual(150);
    expect(triggers[2]! - triggers[1]!).toBeGreaterThanOrEqual(150);
  });

  it('queues a savepoint behind the checkpoint in flight and writes it under the job savepoints directory', async () => {
    const { coordinator, events } = start({});
    await coordinator.start();
    const checkpoint = coordinator.triggerCheckpoint();
    const savepoint = coordinator.triggerSavepoint();
    expect((await checkpoint).checkpointId).toBe(1);
    const info = await savepoint;
    expect(events).toEqual(['trigger 1', 'complete 1', 'trigger 2 savepoint', 'complete 2']);
    expect(info.path).toMatch(new RegExp(`^file://${join(dir, savepointsDirectory(scope))}/sp-\\d+$`));
    expect(readdirSync(new URL(info.path).pathname).sort()).toEqual(['_metadata', 'src']);
    // The staging chk-2 of the savepoint is removed.
    await waitUntil(() => !existsSync(join(dir, checkpointsDirectory(scope, 'run'), 'chk-2')), 'the staging directory removed');
  });

  it('runs retention one completion at a time: a completing checkpoint never sees more than the retained ones before it', async () => {
    const seenAtCompletion: number[] = [];
    let runDirectory = '';
    const completedOnDisk = () => readdirSync(runDirectory).filter((d) => existsSync(join(runDirectory, d, '_metadata'))).length;
    const started = start({ interval: 1, retained: 2, onComplete: () => seenAtCompletion.push(completedOnDisk()) });
    runDirectory = started.runDirectory;
    await started.coordinator.start();
    await waitUntil(() => started.stats.statistics().counts.completed >= 8, 'eight checkpoints');
    started.coordinator.stop();
    await started.coordinator.retentionApplied();
    // The new one plus the retained ones of before: retention of completion n ran before n + 1 completed.
    for (const n of seenAtCompletion) expect(n).toBeLessThanOrEqual(3);
    // stop() aborted the checkpoint in flight; its directory may have had `_metadata` written and is discarded asynchronously.
    await waitUntil(() => completedOnDisk() === 2, 'the two retained checkpoints left on disk');
  });

  it('triggers nothing after the job’s final checkpoint and refuses what was queued behind it', async () => {
    const { coordinator, events } = start({ interval: 5, final: (id) => id === 2 });
    await coordinator.start();
    const first = coordinator.triggerCheckpoint();
    const final = coordinator.triggerCheckpoint();
    const queued = coordinator.triggerSavepoint(undefined, true);
    expect((await first).checkpointId).toBe(1);
    expect((await final).checkpointId).toBe(2);
    await expect(queued).rejects.toThrow('job run ended with checkpoint 2');
    // Two more intervals pass without a trigger.
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['trigger 1', 'complete 1', 'trigger 2', 'complete 2']);
    await expect(coordinator.triggerCheckpoint()).rejects.toThrow('the checkpoint coordinator is not running');
  });

  it('takes a checkpoint requested while it starts once it has started', async () => {
    const { coordinator, events } = start({});
    const started = coordinator.start();
    const checkpoint = coordinator.triggerCheckpoint();
    await started;
    expect((await checkpoint).checkpointId).toBe(1);
    expect(events).toEqual(['trigger 1', 'complete 1']);
  });

  it('passes the stop flag of a stop-with-savepoint to the target', async () => {
    const { coordinator, events } = start({ final: () => true });
    await coordinator.start();
    const info = await coordinator.triggerSavepoint(undefined, true);
    expect(info.savepoint).toBe(true);
    expect(events).toEqual(['trigger 1 savepoint stop', 'complete 1']);
  });

  it('reports a failed retention with the count left behind (REST, metrics) and clears it once a retention succeeds', async () => {
    const refusing = new FilesystemObjectStore(dir);
    let refuse = true;
    refusing.delete = async function (path) {
      if (refuse) throw new Error('InvalidRequest: Missing required header for this request: Content-MD5');
      return FilesystemObjectStore.prototype.delete.call(this, path);
    };
    storage = refusing;
    const { coordinator, stats, registry, runDirectory } = start({ retained: 1 });
    await coordinator.start();
    for (let i = 0; i < 3; i++) await coordinator.triggerCheckpoint();
    await coordinator.retentionApplied();
    expect(stats.statistics().retention).toEqual({
      failures: 2,
      lastFailure: { timestamp: expect.any(Number), message: 'InvalidRequest: Missing required header for this request: Content-MD5', checkpointsLeftBehind: 2 },
    });
    const metrics = await registry.metrics();
    expect(metrics).toContain('sluice_checkpoint_retention_failures_total 2\n');
    expect(metrics).toContain('sluice_checkpoints_left_behind 2\n');
    expect(readdirSync(runDirectory).sort()).toEqual(['chk-1', 'chk-2', 'chk-3']);
    refuse = false;
    await coordinator.triggerCheckpoint();
    await coordinator.retentionApplied();
    expect(stats.statistics().retention).toEqual({ failures: 2, lastFailure: null });
    expect(await registry.metrics()).toContain('sluice_checkpoints_left_behind 0\n');
    expect(readdirSync(runDirectory)).toEqual(['chk-4']);
  });

  it('never deletes the newest verified checkpoint, even when newer completed ones do not verify', async () => {
    const first = start({});
    await first.coordinator.start();
    await first.coordinator.triggerCheckpoint();
    first.coordinator.stop();
    for (const id of [2, 3]) {
      mkdirSync(join(first.runDirectory, `chk-${id}`));
      writeFileSync(join(first.runDirectory, `chk-${id}`, '_metadata'), '{"version": 1, "checkpointId": ');
    }
    const store = new CompletedCheckpointStore(storage, scope, 'run', { retained: 1 });
    const latest = await store.findLatest();
    expect(latest.checkpoint?.checkpointId).toBe(1);
    expect(latest.skipped.map((s) => s.checkpointId)).toEqual([3, 2]);
    expect(await store.applyRetention()).toEqual([2]);
    expect(readdirSync(first.runDirectory).sort()).toEqual(['chk-1', 'chk-3']);
  });
});
