import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExactlyOnceFileSink } from '../../../../runtime/connectors/exactly-once-file-sink.ts';
import type { SinkWriter } from '../../../../runtime/connectors/sink.ts';
import { TwoPhaseCommitSinkWriter, type SinkTransaction, type SinkTransactions } from '../../../../runtime/connectors/two-phase-commit-sink.ts';

const ctx = { subtaskIndex: 0, parallelism: 1, attemptNumber: 0, checkpointing: true };

describe('two-phase commit with the exactly-once file sink', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-2pc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const visible = () =>
    readdirSync(dir)
      .filter((f) => !f.startsWith('.'))
      .sort()
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
  const hidden = () => readdirSync(dir).filter((f) => f.startsWith('.'));
  const write = (w: SinkWriter<string>, ...values: string[]) => values.forEach((v) => w.write(v, 0));

  it('publishes a checkpoint interval only when its checkpoint completes, older intervals with it', () => {
    const w = new ExactlyOnceFileSink<string>(dir).createWriter(ctx, []);
    write(w, 'a', 'b');
    w.snapshotState!(1);
    write(w, 'c');
    w.snapshotState!(2);
    write(w, 'd');
    expect(visible()).toEqual([]);
    expect(hidden()).toHaveLength(2);
    w.notifyCheckpointComplete!(2);
    expect(visible().sort()).toEqual(['a', 'b', 'c']);
    w.close!();
    // The open transaction of a cancelled writer is dropped.
    expect(hidden()).toEqual([]);
  });

  it('commits restored transactions once, however often they are restored', () => {
    const first = new ExactlyOnceFileSink<string>(dir).createWriter(ctx, []);
    write(first, 'x', 'y');
    const state = first.snapshotState!(7).state;
    write(first, 'after the checkpoint');
    // A crash: the completion notice of checkpoint 7 never arrived; the in-progress part stays.
    expect(visible()).toEqual([]);
    new ExactlyOnceFileSink<string>(dir).createWriter(ctx, state).close!();
    expect(visible()).toEqual(['x', 'y']);
    // Restored again (another failure before the next checkpoint): nothing is published twice.
    new ExactlyOnceFileSink<string>(dir).createWriter(ctx, state).close!();
    expect(visible()).toEqual(['x', 'y']);
  });

  it('without checkpointing, finish publishes everything at once; empty intervals publish nothing', () => {
    const w = new ExactlyOnceFileSink<string>(dir).createWriter({ ...ctx, checkpointing: false }, []);
    w.snapshotState!(1);
    write(w, 'last');
    expect(w.finish!()).toBeUndefined();
    expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).toHaveLength(1);
    expect(visible()).toEqual(['last']);
    expect(hidden()).toEqual([]);
  });

  it('with checkpointing, finish publishes nothing: the final checkpoint pre-commits and its completion publishes', () => {
    const w = new ExactlyOnceFileSink<string>(dir).createWriter(ctx, []);
    write(w, 'a');
    w.snapshotState!(1);
    write(w, 'b');
    w.finish!();
    expect(visible()).toEqual([]);
    const final = w.snapshotState!(2);
    expect(final.state).toHaveLength(2);
    expect(final.asyncPhase).toBeUndefined();
    w.notifyCheckpointComplete!(2);
    w.close!();
    expect(visible()).toEqual(['a', 'b']);
    expect(hidden()).toEqual([]);
  });

  it('refuses to commit a transaction whose part is gone, naming the file', () => {
    const state = [{ checkpointId: 3, state: { inProgress: '.part-0-lost-0.inprogress', part: 'part-0-lost-0' } }];
    expect(() => new ExactlyOnceFileSink<string>(dir).createWriter(ctx, state)).toThrow(`cannot commit part file ${join(dir, 'part-0-lost-0')}: ENOENT`);
  });
});

/** Transactions whose data becomes durable and whose commits complete when the test says so. */
class AsyncTransactions implements SinkTransactions<string, { id: number; lines: string[] }> {
  readonly published: string[] = [];
  readonly uploads: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  readonly commitAttempts: number[] = [];
  refuseCommits = 0;
  private next = 0;
  private readonly committed = new Set<number>();

  begin(): SinkTransaction<string, { id: number; lines: string[] }> {
    const id = this.next++;
    const lines: string[] = [];
    return {
      write: (value) => void lines.push(value),
      preCommit: () => ({ state: { id, lines }, durable: new Promise<void>((resolve, reject) => this.uploads.push({ resolve, reject })) }),
      abort: () => {},
    };
  }

  async commit(state: { id: number; lines: string[] }): Promise<void> {
    this.commitAttempts.push(state.id);
    await new Promise((r) => setImmediate(r));
    if (this.refuseCommits > 0) {
      this.refuseCommits--;
      throw new Error(`commit of ${state.id} refused`);
    }
    if (this.committed.has(state.id)) return;
    this.committed.add(state.id);
    this.published.push(...state.lines);
  }
}

describe('two-phase commit with asynchronous transactions', () => {
  const write = (w: SinkWriter<string>, ...values: string[]) => values.forEach((v) => w.write(v, 0));

  it('acknowledges once every pending upload is durable, and commits in checkpoint order on completion', async () => {
    const tx = new AsyncTransactions();
    const w = new TwoPhaseCommitSinkWriter(tx, [], true);
    write(w, 'a');
    const first = w.snapshotState(1);
    write(w, 'b');
    const second = w.snapshotState(2);
    let acknowledged = false;
    const ack = second.asyncPhase!.then(() => (acknowledged = true));
    tx.uploads[1]!.resolve();
    await new Promise((r) => setImmediate(r));
    // Checkpoint 2's state holds checkpoint 1's transaction too, whose upload still runs.
    expect(acknowledged).toBe(false);
    tx.uploads[0]!.resolve();
    await Promise.all([first.asyncPhase, ack]);
    expect(second.state).toEqual([
      { checkpointId: 1, state: { id: 0, lines: ['a'] } },
      { checkpointId: 2, state: { id: 1, lines: ['b'] } },
    ]);
    expect(tx.published).toEqual([]);
    await w.notifyCheckpointComplete(2);
    expect(tx.published).toEqual(['a', 'b']);
    expect(w.snapshotState(3).state).toEqual([{ checkpointId: 3, state: { id: 2, lines: [] } }]);
  });

  it('keeps a transaction whose commit failed: in later snapshots, retried at the next notice, published once', async () => {
    const tx = new AsyncTransactions();
    const w = new TwoPhaseCommitSinkWriter(tx, [], true);
    write(w, 'x');
    w.snapshotState(1);
    tx.uploads[0]!.resolve();
    tx.refuseCommits = 1;
    await expect(w.notifyCheckpointComplete(1)).rejects.toThrow('commit of 0 refused');
    expect(tx.published).toEqual([]);
    write(w, 'y');
    const next = w.snapshotState(2);
    expect(next.state.map((p) => (p as { checkpointId: number }).checkpointId)).toEqual([1, 2]);
    tx.uploads[1]!.resolve();
    await next.asyncPhase;
    await w.notifyCheckpointComplete(2);
    expect(tx.published).toEqual(['x', 'y']);
    expect(tx.commitAttempts).toEqual([0, 0, 1]);
  });

  it('commits restored transactions at once and in order before later notices', async () => {
    const tx = new AsyncTransactions();
    const restored = [
      { checkpointId: 4, state: { id: 90, lines: ['r1'] } },
      { checkpointId: 5, state: { id: 91, lines: ['r2'] } },
    ];
    const w = new TwoPhaseCommitSinkWriter(tx, restored, true);
    write(w, 'new');
    const snapshot = w.snapshotState(6);
    // Not committed yet when the barrier came: the restored transactions are still in the state.
    expect(snapshot.state).toHaveLength(3);
    tx.uploads[0]!.resolve();
    await w.notifyCheckpointComplete(6);
    expect(tx.published).toEqual(['r1', 'r2', 'new']);
    expect(tx.commitAttempts).toEqual([90, 91, 0]);
  });

  it('a failed upload fails the checkpoint and then the next write, snapshot and finish with its error', async () => {
    const tx = new AsyncTransactions();
    const w = new TwoPhaseCommitSinkWriter(tx, [], true);
    write(w, 'lost');
    const snapshot = w.snapshotState(1);
    tx.uploads[0]!.reject(new Error('upload failed: bucket gone'));
    await expect(snapshot.asyncPhase).rejects.toThrow('upload failed: bucket gone');
    expect(() => w.write('more', 0)).toThrow('upload failed: bucket gone');
    expect(() => w.snapshotState(2)).toThrow('upload failed: bucket gone');
    expect(() => w.finish()).toThrow('upload failed: bucket gone');
  });

  it('without checkpointing, finish waits for the last upload and resolves once everything is committed', async () => {
    const tx = new AsyncTransactions();
    const w = new TwoPhaseCommitSinkWriter(tx, [], false);
    write(w, 'p', 'q');
    const finished = w.finish();
    expect(finished).toBeInstanceOf(Promise);
    tx.uploads[0]!.resolve();
    await finished;
    expect(tx.published).toEqual(['p', 'q']);
  });
});
