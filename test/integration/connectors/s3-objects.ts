import type { ObjectStore } from '../../../runtime/fs/object-store.ts';

/** The lines of every part published below `prefix` (what a reader listing `prefix/part-` sees), sorted. */
export async function committedS3Lines(bucket: ObjectStore, prefix: string): Promise<string[]> {
  const parts = (await bucket.list(prefix)).filter((e) => e.path.slice(prefix.length + 1).startsWith('part-'));
  const contents = await Promise.all(parts.map((e) => bucket.read(e.path)));
  return contents.flatMap((c) => c.toString('utf8').split('\n').filter((l) => l !== '')).sort();
}
