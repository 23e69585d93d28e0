import { describe, expect, it } from '@jest/globals';
import { deserializeVersioned, serializeVersioned } from '../../../../runtime/connectors/simple-versioned-serializer.ts';
import { SourceCoordinator } from '../../../../runtime/cluster/source-coordinator.ts';
import { GeneratorSource } from '../../../../runtime/connectors/generator-source.ts';
import { STRIDE_SPLIT_SERIALIZER, STRIDE_SPLITS_SERIALIZER, strideSplits } from '../../../../runtime/connectors/stride-split.ts';
import type { AnySource } from '../../../../runtime/connectors/source.ts';
import type { CoordinatorEvent } from '../../../../runtime/operators/source-operator-event.ts';
import { waitUntil } from '../../../support/processes.ts';

/** A coordinator of `source` at `parallelism` whose events and failures the test reads, splits decoded. */
function coordinatorOf(source: AnySource, parallelism: number) {
  const sent: Array<[number, unknown]> = [];
  const failures: Error[] = [];
  const coordinator = new SourceCoordinator({
    source,
    name: 'Numbers',
    parallelism,
    send: (subtask, event: CoordinatorEvent) => {
      if (event.kind === 'add-splits') sent.push([subtask, { add: event.splits.map((s) => deserializeVersioned(source.splitSerializer, s)) }]);
      else if (event.kind === 'enumerator-checkpoint') sent.push([subtask, { checkpoint: event.checkpointId, state: deserializeVersioned(source.enumeratorCheckpointSerializer, event.state) }]);
      else sent.push([subtask, event.kind]);
    },
    fail: (e) => void failures.push(e),
  });
  return { coordinator, sent, failures };
}

describe('SourceCoordinator', () => {
  const bounded = new GeneratorSource({ count: 10, generate: (n) => n });

  it('makes the enumerator when reader 0 registers; earlier events of other readers wait for it, in order', () => {
    const { coordinator, sent } = coordinatorOf(bounded, 2);
    coordinator.handleReaderEvent(1, { kind: 'reader-registered', restored: false });
    expect(sent).toEqual([]);
    coordinator.handleReaderEvent(0, { kind: 'reader-registered', restored: false });
    const [s0, s1] = strideSplits(2);
    expect(sent).toEqual([
      [0, { add: [s0] }],
      [0, 'no-more-splits'],
      [1, { add: [s1] }],
      [1, 'no-more-splits'],
    ]);
  });

  it('sends the enumerator state to subtask 0 before a checkpoint, and restores the enumerator from what subtask 0 brings back', () => {
    const { coordinator, sent } = coordinatorOf(bounded, 3);
    coordinator.handleReaderEvent(0, { kind: 'reader-registered', restored: false });
    coordinator.checkpoint(4);
    // Readers 1 and 2 have not registered: their splits are still the enumerator's.
    const pending = strideSplits(3).slice(1);
    expect(sent.at(-1)).toEqual([0, { checkpoint: 4, state: pending }]);

    const restored = coordinatorOf(bounded, 2);
    const state = serializeVersioned(STRIDE_SPLITS_SERIALIZER, pending);
    restored.coordinator.handleReaderEvent(1, { kind: 'reader-registered', restored: true });
    restored.coordinator.handleReaderEvent(0, { kind: 'reader-registered', restored: true, restoredEnumerator: state });
    // At parallelism 2, split 1 (of stride 3) belongs to reader 1 and split 2 to reader 0.
    expect(restored.sent).toEqual([
      [0, { add: [pending[1]] }],
      [0, 'no-more-splits'],
      [1, { add: [pending[0]] }],
      [1, 'no-more-splits'],
    ]);
  });

  it('fails the job, naming the source, when restored without enumerator state or when the enumerator throws', () => {
    const { coordinator, failures } = coordinatorOf(bounded, 1);
    coordinator.handleReaderEvent(0, { kind: 'reader-registered', restored: true });
    expect(failures.map((e) => e.message)).toEqual(['split enumerator of source "Numbers" failed: source "Numbers" is restored from a checkpoint that holds no state of its split enumerator']);

    const broken = coordinatorOf(bounded, 1);
    const garbage = { version: STRIDE_SPLIT_SERIALIZER.version, bytes: new TextEncoder().encode('{"pending":') };
    broken.coordinator.handleReaderEvent(0, { kind: 'reader-registered', restored: true, restoredEnumerator: garbage });
    expect(broken.failures).toHaveLength(1);
    expect(broken.failures[0]!.message).toMatch(/^split enumerator of source "Numbers" failed: cannot read a sequence enumerator state: /);
  });

  it('runs callAsync periodically, each run after the previous one settled, until closed; a failing handler fails the job', async () => {
    const { coordinator, failures } = coordinatorOf(bounded, 1);
    const results: number[] = [];
    let calls = 0;
    coordinator.callAsync(
      () => Promise.resolve(++calls),
      (n) => {
        results.push(n!);
        if (n === 3) throw new Error('discovery broke');
      },
      0,
      5,
    );
    await waitUntil(() => failures.length === 1, 'the failing handler');
    expect(results).toEqual([1, 2, 3]);
    expect(failures[0]!.message).toBe('split enumerator of source "Numbers" failed: discovery broke');
    // The failure closed the coordinator: no run follows.
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(3);
  });

  it('passes source events both ways: from a reader to handleSourceEvent, from the enumerator to that reader', () => {
    const echoing: AnySource = {
      ...bounded,
      splitSerializer: bounded.splitSerializer,
      enumeratorCheckpointSerializer: bounded.enumeratorCheckpointSerializer,
      createReader: () => {
        throw new Error('no readers here');
      },
      createEnumerator: (ctx) => ({
        start() {},
        addReader() {},
        handleSplitRequest() {},
        addSplitsBack() {},
        handleSourceEvent: (subtask: number, event: unknown) => ctx.sendEventToSourceReader(subtask, { echo: event }),
        snapshotState: () => [],
        close() {},
      }),
      restoreEnumerator: () => {
        throw new Error('not restored here');
      },
    };
    const events: Array<[number, CoordinatorEvent]> = [];
    const coordinator = new SourceCoordinator({ source: echoing, name: 'Echo', parallelism: 2, send: (subtask, event) => void events.push([subtask, event]), fail: (e) => {
      throw e;
    } });
    coordinator.handleReaderEvent(1, { kind: 'source-event', event: 'before the enumerator' });
    coordinator.handleReaderEvent(0, { kind: 'reader-registered', restored: false });
    coordinator.handleReaderEvent(0, { kind: 'source-event', event: { lag: 3 } });
    expect(events).toEqual([
      [1, { kind: 'source-event', event: { echo: 'before the enumerator' } }],
      [0, { kind: 'source-event', event: { echo: { lag: 3 } } }],
    ]);
  });
});
