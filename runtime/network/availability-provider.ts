/**
 * Something that takes input only while it has room (Flink's AvailabilityProvider): an output
 * channel waiting for credit, a sink whose upload is behind. Callers check `isAvailable()` between
 * batches and, when false, wait for `availability()` instead of polling; nothing blocks per record.
 */
export interface AvailabilityProvider {
  isAvailable(): boolean;
  /** Resolves when `isAvailable()` becomes true; already resolved when it is. */
  availability(): Promise<void>;
}
