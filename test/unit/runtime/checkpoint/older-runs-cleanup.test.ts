import { describe, expect, it } from '@jest/globals';
import { OlderRunsCleanup } from '../../../../runtime/checkpoint/older-runs-cleanup.ts';
import { checkpointDirectory, savepointDirectory } from '../../../../runtime/checkpoint/storage-layout.ts';
import { FilesystemObjectStore } from '../../../../runtime/fs/filesystem-object-store.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const scope = { namespace: 'streaming', jobName: 'wordcount' };
const tempDir = tempDirs('older-runs-');

/** A checkpoint directory with its state file and `_metadata` (cleanup does not read them). */
async function checkpoint(store: FilesystemObjectStore, directory: string): Promise<void> {
  await store.write(`${directory}/op/0`, Buffer.from('abcd'));
  await store.write(`${directory}/_metadata`, Buffer.from('{}'));
}

async function listing(store: FilesystemObjectStore): Promise<string[]> {
  return (await store.list('')).map((e) => e.path);
}

describe('checkpoint garbage collection across runs', () => {
  it('deletes the folders of runs numbered below this one, keeps referred-to checkpoints, and leaves later runs, other jobs and savepoints alone', async () => {
    const s = new FilesystemObjectStore(tempDir());
    for (const run of ['uid-1', 'uid-2', 'uid-3', 'uid-4', 'uid-10', 'other-1']) {
      for (const id of [1, 2]) await checkpoint(s, checkpointDirectory(scope, run, id));
    }
    await s.write('streaming/wordcount/uid-1/job-result.json', Buffer.from('{}'));
    await checkpoint(s, savepointDirectory(scope, 1000));
    await checkpoint(s, checkpointDirectory({ namespace: 'streaming', jobName: 'other' }, 'uid-1', 1));

    const cleanup = new OlderRunsCleanup(s, scope, 'uid-4', { runIdPrefix: 'uid-', keep: [`${s.uriOf(checkpointDirectory(scope, 'uid-2', 2))}/`] });
    const result = await cleanup.run(s.uriOf(checkpointDirectory(scope, 'uid-3', 1)));
    expect(result).toEqual({
      deletedRuns: ['uid-1'],
      deletedCheckpoints: [s.uriOf(checkpointDirectory(scope, 'uid-2', 1)), s.uriOf(checkpointDirectory(scope, 'uid-3', 2))],
      kept: [s.uriOf(checkpointDirectory(scope, 'uid-2', 2)), s.uriOf(checkpointDirectory(scope, 'uid-3', 1))],
    });
    expect(await listing(s)).toEqual([
      'streaming/other/uid-1/checkpoints/chk-1/_metadata',
      'streaming/other/uid-1/checkpoints/chk-1/op/0',
      ...['other-1/checkpoints/chk-1', 'other-1/checkpoints/chk-2', 'savepoints/sp-1000', 'uid-10/checkpoints/chk-1', 'uid-10/checkpoints/chk-2', 'uid-2/checkpoints/chk-2', 'uid-3/checkpoints/chk-1', 'uid-4/checkpoints/chk-1', 'uid-4/checkpoints/chk-2'].flatMap((d) => [
        `streaming/wordcount/${d}/_metadata`,
        `streaming/wordcount/${d}/op/0`,
      ]),
    ]);
    expect(cleanup.completed).toBe(true);
    // Once done, it does nothing more: a checkpoint that appears later in an older run stays.
    await checkpoint(s, checkpointDirectory(scope, 'uid-1', 7));
    expect(await cleanup.run()).toEqual({ deletedRuns: [], deletedCheckpoints: [], kept: [] });
    expect(await listing(s)).toContain('streaming/wordcount/uid-1/checkpoints/chk-7/_metadata');
  });

  it('refuses a run id the prefix does not name', () => {
    const s = new FilesystemObjectStore(tempDir());
    expect(() => new OlderRunsCleanup(s, scope, 'wordcount', { runIdPrefix: 'uid-', keep: [] })).toThrow(
      'checkpointing.olderRuns.runIdPrefix "uid-" does not name this run "wordcount" (<prefix><number>)',
    );
  });
});
