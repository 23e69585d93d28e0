import { chmodSync, closeSync, openSync, readSync, fstatSync, writeFileSync } from 'node:fs';
import { tailOffset } from './log-stream.ts';

/** The most of a termination-message file the kubelet reports (kubecontainer.MaxContainerTerminationMessageLength). */
export const MAX_TERMINATION_MESSAGE_BYTES = 4096;
/** FallbackToLogsOnError reports at most this many bytes of the log's last {@link MAX_TERMINATION_MESSAGE_LOG_LINES} lines. */
export const MAX_TERMINATION_MESSAGE_LOG_BYTES = 2048;
export const MAX_TERMINATION_MESSAGE_LOG_LINES = 80;

/**
 * Creates the host file a container instance's terminationMessagePath is bind-mounted from: empty
 * and writable by any user (0666), as the kubelet creates it, since the container may run as anyone.
 */
export function createTerminationMessageFile(path: string): void {
  writeFileSync(path, '');
  chmodSync(path, 0o666);
}

/**
 * The termination message of an exited container instance, as the kubelet reports it in
 * `state.terminated.message`: the last 4096 bytes of its termination-message file; with
 * `FallbackToLogsOnError`, a container that failed (exit code not 0) and wrote nothing there gets
 * the tail of its log instead (80 lines, at most 2048 bytes). Undefined when there is none.
 */
export function terminationMessage(file: string | undefined, logPath: string, policy: string | undefined, exitCode: number): string | undefined {
  const written = file === undefined ? undefined : readAtMost(file, MAX_TERMINATION_MESSAGE_BYTES);
  if (written !== undefined && written.length > 0) return written.toString('utf8');
  if (policy !== 'FallbackToLogsOnError' || exitCode === 0) return undefined;
  // The last 2048 bytes hold whatever of the last 80 lines is reported.
  const end = readAtMost(logPath, MAX_TERMINATION_MESSAGE_LOG_BYTES);
  if (end === undefined) return undefined;
  const text = end.subarray(tailOffset(end, MAX_TERMINATION_MESSAGE_LOG_LINES)).toString('utf8');
  return text.length > 0 ? text : undefined;
}

/** The last `max` bytes of `path` (as the kubelet's tail.ReadAtMost); undefined when the file is gone. */
function readAtMost(path: string, max: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, max);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer;
  } finally {
    closeSync(fd);
  }
}
