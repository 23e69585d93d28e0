import { describe, expect, it } from '@jest/globals';
import { SavepointDisposal } from '../../../../runtime/checkpoint/savepoint-disposal.ts';
import { SavepointStore } from '../../../../runtime/checkpoint/savepoint-store.ts';
import { checkpointDirectory, savepointDirectory } from '../../../../runtime/checkpoint/storage-layout.ts';
import { FilesystemObjectStore } from '../../../../runtime/fs/filesystem-object-store.ts';
import type { SavepointDisposalStatus } from '../../../../runtime/rest/rest-types.ts';
import { waitFor } from '../../../support/processes.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const scope = { namespace: 'streaming', jobName: 'wordcount' };
const tempDir = tempDirs('savepoint-disposal-');

async function settled(disposal: SavepointDisposal, triggerId: string): Promise<SavepointDisposalStatus> {
  return waitFor('the disposal completed', () => (disposal.status(triggerId)?.status.id === 'COMPLETED' ? disposal.status(triggerId) : undefined), 5000, 10);
}

describe('savepoint disposal', () => {
  it('deletes a savepoint directory of the job, again without error once it is gone, and refuses anything else', async () => {
    const s = new FilesystemObjectStore(tempDir());
    for (const t of [1000, 2000]) {
      await s.write(`${savepointDirectory(scope, t)}/op/0`, Buffer.from('abcd'));
      await s.write(`${savepointDirectory(scope, t)}/_metadata`, Buffer.from('{}'));
    }
    await s.write(`${checkpointDirectory(scope, 'uid-1', 1)}/_metadata`, Buffer.from('{}'));
    const disposal = new SavepointDisposal(new SavepointStore(s, scope), () => s.uriOf(savepointDirectory(scope, 2000)));
    const path = s.uriOf(savepointDirectory(scope, 1000));

    for (let i = 0; i < 2; i++) {
      const started = disposal.trigger(`${path}/`);
      expect('triggerId' in started).toBe(true);
      expect(await settled(disposal, (started as { triggerId: string }).triggerId)).toEqual({ status: { id: 'COMPLETED' }, operation: {} });
    }
    const parent = s.uriOf('streaming/wordcount/savepoints');
    for (const outside of [s.uriOf(checkpointDirectory(scope, 'uid-1', 1)), s.uriOf('streaming/other/savepoints/sp-1'), `${parent}/sp-1/../../uid-1`, `${parent}/sp-x`, '/etc']) {
      expect(disposal.trigger(outside)).toEqual({ refused: 'outside', message: `${JSON.stringify(outside)} is not a savepoint of this job: only ${parent}/sp-<n> directories are disposed of` });
    }
    const restored = s.uriOf(savepointDirectory(scope, 2000));
    expect(disposal.trigger(restored)).toEqual({ refused: 'in-use', message: `savepoint ${restored} is the one this run restored from; it is not disposed of` });
    expect((await s.list('')).map((e) => e.path)).toEqual([
      'streaming/wordcount/savepoints/sp-2000/_metadata',
      'streaming/wordcount/savepoints/sp-2000/op/0',
      'streaming/wordcount/uid-1/checkpoints/chk-1/_metadata',
    ]);
    expect(disposal.status('nope')).toBeUndefined();
  });
});
