import { Counter, Gauge, type Registry } from 'prom-client';
import type { CheckpointingStatistics, CheckpointRetentionStatus, CheckpointStats, RestoredCheckpointInfo } from '../rest/rest-types.ts';
import type { SkippedCheckpoint } from './checkpoint-verification.ts';

const HISTORY = 20;

/**
 * Checkpoint history and figures for the JobManager's REST API (CheckpointingStatistics) and its
 * Prometheus `/metrics`: duration, size, alignment time, last completed id and path, and the
 * checkpoints skipped on restore with their reasons.
 */
export class CheckpointStatsTracker {
  private readonly history: CheckpointStats[] = [];
  private readonly counts = { completed: 0, failed: 0, restored: 0 };
  private latestCompleted: CheckpointStats | null = null;
  private latestSavepoint: CheckpointStats | null = null;
  private latestFailed: CheckpointStats | null = null;
  private restored: RestoredCheckpointInfo | null = null;
  private skipped: Array<{ path: string; reason: string }> = [];
  private retention: CheckpointRetentionStatus = { failures: 0, lastFailure: null };
  private readonly metrics: ReturnType<typeof createMetrics> | undefined;

  constructor(registry?: Registry) {
    this.metrics = registry ? createMetrics(registry) : undefined;
  }

  reportPending(id: number, isSavepoint: boolean, triggerTimestamp: number): void {
    this.record({
      id,
      status: 'IN_PROGRESS',
      isSavepoint,
      triggerTimestamp,
      latestAckTimestamp: null,
      endToEndDuration: null,
      stateSize: 0,
      alignmentDuration: null,
      externalPath: null,
      failureMessage: null,
    });
  }

  reportCompleted(id: number, details: { stateSize: number; alignmentDuration: number; externalPath: string; latestAckTimestamp: number }): void {
    const pending = this.find(id);
    const stats: CheckpointStats = { ...pending, ...details, status: 'COMPLETED', endToEndDuration: Date.now() - pending.triggerTimestamp };
    this.record(stats);
    this.counts.completed++;
    if (stats.isSavepoint) this.latestSavepoint = stats;
    else this.latestCompleted = stats;
    const m = this.metrics;
    if (!m) return;
    m.completed.inc();
    m.duration.set(stats.endToEndDuration!);
    m.size.set(stats.stateSize);
    m.alignment.set(stats.alignmentDuration!);
    if (!stats.isSavepoint) {
      m.lastId.set(id);
      m.lastPath.reset();
      m.lastPath.set({ path: stats.externalPath! }, id);
    }
  }

  reportFailed(id: number, failureMessage: string): void {
    const stats: CheckpointStats = { ...this.find(id), status: 'FAILED', endToEndDuration: null, failureMessage };
    this.record(stats);
    this.counts.failed++;
    this.latestFailed = stats;
    this.metrics?.failed.inc();
  }

  reportRestored(info: RestoredCheckpointInfo, skipped: readonly SkippedCheckpoint[]): void {
    this.restored = info;
    this.counts.restored++;
    this.reportSkipped(skipped);
    this.metrics?.restored.inc();
  }

  reportSkipped(skipped: readonly SkippedCheckpoint[]): void {
    this.skipped = skipped.map((s) => ({ path: s.uri, reason: s.reasons.map((r) => r.message).join('; ') }));
    this.metrics?.skipped.inc(skipped.length);
  }

  /** A retention run deleted what it should: a failure reported before is over. */
  reportRetentionSucceeded(): void {
    this.retention = { failures: this.retention.failures, lastFailure: null };
    this.metrics?.leftBehind.set(0);
  }

  /** A retention run failed with `message`, leaving `leftBehind` checkpoints (null: unknown, storage not listable). */
  reportRetentionFailed(message: string, leftBehind: number | null): void {
    this.retention = { failures: this.retention.failures + 1, lastFailure: { timestamp: Date.now(), message, checkpointsLeftBehind: leftBehind } };
    this.metrics?.retentionFailures.inc();
    if (leftBehind !== null) this.metrics?.leftBehind.set(leftBehind);
  }

  statistics(): CheckpointingStatistics {
    const inProgress = this.history.filter((s) => s.status === 'IN_PROGRESS').length;
    return {
      counts: { ...this.counts, inProgress },
      latest: { completed: this.latestCompleted, savepoint: this.latestSavepoint, failed: this.latestFailed, restored: this.restored },
      history: [...this.history],
      skippedOnRestore: [...this.skipped],
      retention: this.retention,
    };
  }

  private find(id: number): CheckpointStats {
    const found = this.history.find((s) => s.id === id);
    if (!found) throw new Error(`checkpoint ${id} was never reported as pending`);
    return found;
  }

  /** Newest first; an update replaces the entry of the same id. */
  private record(stats: CheckpointStats): void {
    const at = this.history.findIndex((s) => s.id === stats.id);
    if (at >= 0) this.history[at] = stats;
    else this.history.unshift(stats);
    if (this.history.length > HISTORY) this.history.length = HISTORY;
  }
}

function createMetrics(registry: Registry) {
  const registers = [registry];
  return {
    completed: new Counter({ name: 'sluice_checkpoints_completed_total', help: 'Completed checkpoints and savepoints', registers }),
    failed: new Counter({ name: 'sluice_checkpoints_failed_total', help: 'Checkpoints that failed or timed out', registers }),
    restored: new Counter({ name: 'sluice_checkpoints_restored_total', help: 'Restores from a checkpoint or savepoint', registers }),
    skipped: new Counter({ name: 'sluice_checkpoints_skipped_on_restore_total', help: 'Completed checkpoints skipped at restore (corrupt or incomplete)', registers }),
    retentionFailures: new Counter({ name: 'sluice_checkpoint_retention_failures_total', help: 'Retention runs that could not delete every checkpoint beyond the retained ones', registers }),
    leftBehind: new Gauge({ name: 'sluice_checkpoints_left_behind', help: 'Checkpoints the last failed retention left in storage (0 once a retention succeeds)', registers }),
    duration: new Gauge({ name: 'sluice_checkpoint_last_duration_ms', help: 'End-to-end duration of the last completed checkpoint', registers }),
    size: new Gauge({ name: 'sluice_checkpoint_last_size_bytes', help: 'State size of the last completed checkpoint', registers }),
    alignment: new Gauge({ name: 'sluice_checkpoint_last_alignment_ms', help: 'Longest barrier alignment of a subtask in the last completed checkpoint', registers }),
    lastId: new Gauge({ name: 'sluice_checkpoint_last_completed_id', help: 'Id of the last completed checkpoint', registers }),
    lastPath: new Gauge({ name: 'sluice_checkpoint_last_completed_path', help: 'Storage path of the last completed checkpoint (value: its id)', labelNames: ['path'], registers }),
  };
}
