/**
 * Processing time for operators. Callbacks never run inside a timer's own tick: they are queued
 * in the task's mailbox so they never interleave with the processing of a batch.
 */
export interface ProcessingTimeService {
  now(): number;
  /**
   * Runs `callback` in the task's mailbox at or after `at` (epoch ms); for times beyond
   * setTimeout's range (~24 days) it may run earlier, so callbacks re-check the clock.
   */
  schedule(at: number, callback: () => void): void;
}
