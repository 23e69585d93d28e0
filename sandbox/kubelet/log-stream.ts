import { open, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { LogFile } from './pod-worker.ts';

export interface LogOptions {
  follow: boolean;
  tailLines?: number;
  limitBytes?: number;
}

const FOLLOW_POLL_MS = 100;

/** Byte offset where the last `tailLines` lines of `content` start. */
export function tailOffset(content: Buffer, tailLines: number): number {
  if (tailLines <= 0) return content.length;
  let end = content.length;
  if (end > 0 && content[end - 1] === 0x0a) end--;
  let lines = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (content[i] === 0x0a && ++lines === tailLines) return i + 1;
  }
  return 0;
}

/**
 * A container log as the kubelet's `containerLogs` endpoint serves it: the file from the
 * `tailLines` point on, then, with `follow`, what the container writes until it exits or the
 * client goes away.
 */
export async function logStream(file: LogFile, options: LogOptions): Promise<Readable> {
  const content = await readFile(file.path);
  let offset = options.tailLines === undefined ? 0 : tailOffset(content, options.tailLines);
  let remaining = options.limitBytes ?? Number.POSITIVE_INFINITY;
  const first = content.subarray(offset, offset + Math.min(content.length - offset, remaining));
  offset += first.length;
  remaining -= first.length;
  if (!options.follow || remaining <= 0) return Readable.from(first.length > 0 ? [first] : []);

  const handle = await open(file.path, 'r');
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const stream = new Readable({
    read() {},
    destroy(err, callback) {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      void handle.close().then(() => callback(err), () => callback(err));
    },
  });
  if (first.length > 0) stream.push(first);
  const buffer = Buffer.alloc(64 * 1024);
  const poll = async (): Promise<void> => {
    if (closed) return;
    const wasLive = file.live();
    try {
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, remaining), offset);
        if (bytesRead === 0 || closed) break;
        offset += bytesRead;
        remaining -= bytesRead;
        stream.push(Buffer.from(buffer.subarray(0, bytesRead)));
        if (remaining <= 0) break;
      }
    } catch (err) {
      // the client went away and the handle was closed under the read, or the file was removed
      if (!closed) stream.destroy(err as Error);
      return;
    }
    if (closed) return;
    if (!wasLive || remaining <= 0) {
      stream.push(null);
      return;
    }
    timer = setTimeout(() => void poll(), FOLLOW_POLL_MS);
  };
  void poll();
  return stream;
}
