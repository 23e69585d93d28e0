import type { StreamJobStatus } from './stream-job-status.ts';

/**
 * The most bytes of free text (an exception's message, a JobManager's error reply) the operator puts
 * into one condition, event or status field: enough to read, never enough to fill etcd's object limit.
 */
export const MAX_MESSAGE_BYTES = 4096;

/**
 * `text` if it fits in `maxBytes` of UTF-8, else its beginning (whole characters) followed by a
 * marker saying how much was cut, the whole within `maxBytes`.
 */
export function boundedText(text: string, maxBytes = MAX_MESSAGE_BYTES): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const marker = (cut: number) => ` …[${cut} of ${bytes.length} bytes cut]`;
  const keep = maxBytes - Buffer.byteLength(marker(bytes.length));
  // A streaming decode stops before a character split at the boundary.
  const kept = new TextDecoder('utf-8').decode(bytes.subarray(0, keep), { stream: true });
  return kept + marker(bytes.length - Buffer.byteLength(kept));
}

/** `status` with its free text (message, last failure) cut to {@link MAX_MESSAGE_BYTES}; conditions are cut as they are set. */
export function boundedStatusText(status: StreamJobStatus): StreamJobStatus {
  return {
    ...status,
    ...(status.message === undefined ? {} : { message: boundedText(status.message) }),
    ...(status.lastFailure === undefined ? {} : { lastFailure: { ...status.lastFailure, message: boundedText(status.lastFailure.message) } }),
  };
}
