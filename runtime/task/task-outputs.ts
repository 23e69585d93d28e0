import type { AvailabilityProvider } from '../network/availability-provider.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';

/**
 * What must have room before a task takes more input: its record writers, and the operators of its
 * chain that throttle (sinks with a bounded buffer). The task asks on every cycle, so asking costs a
 * loop over a short array; waiting is one promise per backpressured stretch, not per record.
 */
export class TaskOutputs {
  private readonly outputs: AvailabilityProvider[];
  private waiting = false;

  constructor(candidates: readonly (AvailabilityProvider | StreamOperator)[]) {
    this.outputs = candidates.filter(throttles);
  }

  isAvailable(): boolean {
    for (const o of this.outputs) if (!o.isAvailable()) return false;
    return true;
  }

  /** Calls `wake` once every output has room again (a wait already under way is not doubled). */
  whenAvailable(wake: () => void, fail: (error: unknown) => void): void {
    if (this.waiting) return;
    this.waiting = true;
    Promise.all(this.outputs.map((o) => o.availability())).then(
      () => {
        this.waiting = false;
        wake();
      },
      fail,
    );
  }
}

function throttles(candidate: AvailabilityProvider | StreamOperator): candidate is AvailabilityProvider {
  return candidate.isAvailable !== undefined && candidate.availability !== undefined;
}
