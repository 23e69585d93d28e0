import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExactlyOnceFileSink } from '../../../runtime/connectors/exactly-once-file-sink.ts';
import type { SinkWriter } from '../../../runtime/connectors/sink.ts';

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
    const state = first.snapshotState!(7);
    write(first, 'after the checkpoint');
    // A crash: the completion notice of checkpoint 7 never arrived; the in-progress part stays.
    expect(visible()).toEqual([]);
    new ExactlyOnceFileSink<string>(dir).createWriter(ctx, state).close!();
    expect(visible()).toEqual(['x', 'y']);
    // Restored again (another failure before the next checkpoint): nothing is published twice.
    new ExactlyOnceFileSink<string>(dir).createWriter(ctx, state).close!();
    expect(visible()).toEqual(['x', 'y']);
  });

  it('finish publishes everything without waiting for a checkpoint; empty intervals publish nothing', () => {
    const w = new ExactlyOnceFileSink<string>(dir).createWriter(ctx, []);
    w.snapshotState!(1);
    write(w, 'last');
    w.finish!();
    expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).toHaveLength(1);
    expect(visible()).toEqual(['last']);
    expect(hidden()).toEqual([]);
  });

  it('refuses to commit a transaction whose part is gone, naming the file', () => {
    const state = [{ checkpointId: 3, state: { inProgress: '.part-0-lost-0.inprogress', part: 'part-0-lost-0' } }];
    expect(() => new ExactlyOnceFileSink<string>(dir).createWriter(ctx, state)).toThrow(`cannot commit part file ${join(dir, 'part-0-lost-0')}: ENOENT`);
  });
});
