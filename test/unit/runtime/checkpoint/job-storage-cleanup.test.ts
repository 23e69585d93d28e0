import { describe, expect, it } from '@jest/globals';
import { deleteJobStorage } from '../../../../runtime/checkpoint/job-storage-cleanup.ts';
import { FilesystemObjectStore } from '../../../../runtime/fs/filesystem-object-store.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const scope = { namespace: 'streaming', jobName: 'wordcount' };
const tempDir = tempDirs('job-storage-cleanup-');

describe("deleting prefixes of a job's storage folder", () => {
  it('deletes every run of one uid and the listed savepoints, and nothing of another uid, another job or another savepoint; again, it deletes nothing', async () => {
    const s = new FilesystemObjectStore(tempDir());
    const files = [
      'streaming/wordcount/uid-1/checkpoints/chk-1/_metadata',
      'streaming/wordcount/uid-1/checkpoints/chk-1/op/0',
      'streaming/wordcount/uid-2/checkpoints/chk-4/_metadata',
      'streaming/wordcount/uid-2/job-result.json',
      'streaming/wordcount/other-1/checkpoints/chk-1/_metadata',
      'streaming/wordcount/savepoints/sp-10/_metadata',
      'streaming/wordcount/savepoints/sp-10/op/0',
      'streaming/wordcount/savepoints/sp-100/_metadata',
      'streaming/wordcount-2/uid-1/checkpoints/chk-1/_metadata',
    ];
    for (const f of files) await s.write(f, Buffer.from('x'));
    expect(await deleteJobStorage(s, scope, ['uid-', 'savepoints/sp-10/'])).toEqual({ deleted: { 'uid-': 4, 'savepoints/sp-10/': 2 } });
    expect((await s.list('')).map((e) => e.path)).toEqual([
      'streaming/wordcount-2/uid-1/checkpoints/chk-1/_metadata',
      'streaming/wordcount/other-1/checkpoints/chk-1/_metadata',
      'streaming/wordcount/savepoints/sp-100/_metadata',
    ]);
    expect(await deleteJobStorage(s, scope, ['uid-', 'savepoints/sp-10/'])).toEqual({ deleted: { 'uid-': 0, 'savepoints/sp-10/': 0 } });
  });

  it('refuses a prefix that could leave the job folder, deleting nothing', async () => {
    const s = new FilesystemObjectStore(tempDir());
    await s.write('streaming/wordcount/uid-1/checkpoints/chk-1/_metadata', Buffer.from('x'));
    await expect(deleteJobStorage(s, scope, ['uid-', '../other/'])).rejects.toThrow('Invalid checkpoint storage cleanup prefix "../other"');
    await expect(deleteJobStorage(s, scope, ['/etc'])).rejects.toThrow('Invalid cleanup prefix "/etc": expected a non-empty path relative to the job\'s folder');
    await expect(deleteJobStorage(s, scope, [''])).rejects.toThrow('Invalid cleanup prefix ""');
    expect((await s.list('')).length).toBe(1);
  });
});
