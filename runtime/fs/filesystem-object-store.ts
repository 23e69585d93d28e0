import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ObjectStore, StateBytes, StorageEntry, WriteOptions } from './object-store.ts';
import { StorageError } from './storage-error.ts';
import { StateBytesSource } from './state-bytes-source.ts';
import { checkRelativePath } from './storage-path.ts';

const TEMP_MARKER = '.sluice-tmp-';

/**
 * Checkpoint storage in a local (or mounted) directory. A file appears only once complete: it is
 * written to a temporary name beside its target, synced, then renamed over it.
 */
export class FilesystemObjectStore implements ObjectStore {
  readonly uri: string;

  constructor(private readonly root: string) {
    this.uri = pathToFileURL(root).href;
  }

  uriOf(path: string): string {
    return pathToFileURL(this.file(path)).href;
  }

  async write(path: string, data: StateBytes, options: WriteOptions = {}): Promise<number> {
    const { signal } = options;
    signal?.throwIfAborted();
    const target = this.file(path);
    const temp = `${target}${TEMP_MARKER}${randomBytes(6).toString('hex')}`;
    const source = data instanceof Uint8Array ? undefined : new StateBytesSource(data);
    await this.io(path, () => mkdir(dirname(target), { recursive: true }));
    try {
      const handle = await open(temp, 'wx');
      try {
        if (data instanceof Uint8Array) {
          await handle.writeFile(data);
        } else {
          for await (const chunk of source!.chunks()) {
            signal?.throwIfAborted();
            await handle.write(chunk);
          }
        }
        // A checkpoint that is reported complete must survive a machine crash, not only a process crash.
        await handle.sync();
      } finally {
        await handle.close();
      }
      signal?.throwIfAborted();
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      if (signal?.aborted) throw signal.reason;
      throw source?.failed ? source.failure : this.failure(path, error);
    }
    return data instanceof Uint8Array ? data.byteLength : source!.size;
  }

  async read(path: string): Promise<Buffer> {
    return this.io(path, () => readFile(this.file(path)));
  }

  async readRange(path: string, offset: number, length: number): Promise<Buffer> {
    return this.io(path, async () => {
      const handle = await open(this.file(path), 'r');
      try {
        const buffer = Buffer.allocUnsafe(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
          if (bytesRead === 0) {
            throw new StorageError('io', `Checkpoint file "${this.uriOf(path)}" ends before byte ${offset + length} (wanted ${length} bytes at offset ${offset})`);
          }
          filled += bytesRead;
        }
        return buffer;
      } finally {
        await handle.close();
      }
    });
  }

  async list(directory: string): Promise<StorageEntry[]> {
    const base = this.file(directory);
    let names: string[];
    try {
      names = await readdir(base, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw this.failure(directory, error);
    }
    const entries = await Promise.all(
      names
        .filter((name) => !name.includes(TEMP_MARKER))
        .map(async (name): Promise<StorageEntry | undefined> => {
          const file = join(base, name);
          const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
            // Deleted between readdir and stat: it is no longer there to list.
            if (error.code === 'ENOENT') return undefined;
            throw this.failure(directory, error);
          });
          if (!info?.isFile()) return undefined;
          return { path: relative(this.root, file).split(sep).join('/'), size: info.size };
        }),
    );
    return entries.filter((entry): entry is StorageEntry => entry !== undefined).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(path: string): Promise<void> {
    await this.io(path, () => rm(this.file(path), { force: true }));
  }

  async deleteDirectory(directory: string): Promise<void> {
    await this.io(directory, () => rm(this.file(directory), { recursive: true, force: true }));
  }

  async close(): Promise<void> {}

  private file(path: string): string {
    return join(this.root, ...checkRelativePath(path).split('/'));
  }

  private async io<T>(path: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw this.failure(path, error);
    }
  }

  private failure(path: string, error: unknown): StorageError {
    if (error instanceof StorageError) return error;
    const code = (error as NodeJS.ErrnoException).code;
    const uri = this.uriOf(path);
    if (code === 'ENOENT') return new StorageError('not-found', `Checkpoint file "${uri}" does not exist`, { cause: error });
    if (code === 'EACCES' || code === 'EPERM') return new StorageError('access-denied', `Checkpoint storage "${uri}": permission denied`, { cause: error });
    return new StorageError('io', `Checkpoint storage "${uri}": ${(error as Error).message}`, { cause: error });
  }
}
