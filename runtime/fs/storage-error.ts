export type StorageErrorReason =
  | 'not-found'
  | 'access-denied'
  | 'no-such-bucket'
  | 'unreachable'
  | 'timeout'
  | 'unavailable'
  | 'invalid-path'
  | 'invalid-uri'
  | 'invalid-config'
  | 'no-credentials'
  | 'io';

/**
 * One error type for every storage failure, with a machine-readable reason for callers that react
 * differently (retry when unreachable, fail fast on bad credentials) and a message for people.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';

  constructor(
    readonly reason: StorageErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
