import { GeneratorSource } from '../generator-source.ts';
import { NexmarkGenerator, type NexmarkConfig } from './generator.ts';
import type { NexmarkEvent } from './model.ts';

export interface NexmarkSourceOptions extends Partial<NexmarkConfig> {
  /** Number of events; omitted: unbounded. */
  readonly events?: number;
  /** Wall-clock upper bound for the whole source (its subtasks share it); omitted: as fast as it goes. */
  readonly recordsPerSecond?: number;
}

/**
 * Nexmark events as a source. Event n is a pure function of n (see NexmarkGenerator), so the
 * source is a GeneratorSource over the event numbers: subtask s of p generates events s, s+p,
 * s+2p, ... (each subtask's event times non-decreasing), the subtasks together exactly the
 * single-generator stream whatever the parallelism, and a split's state is its next event number,
 * so a restore (also at another parallelism) continues where the checkpoint was. Records carry
 * their event time (`dateTime`) as timestamp.
 */
export class NexmarkSource extends GeneratorSource<NexmarkEvent> {
  readonly generator: NexmarkGenerator;

  constructor(options: NexmarkSourceOptions = {}) {
    const { events, recordsPerSecond, ...config } = options;
    const generator = new NexmarkGenerator(config);
    super({ count: events, recordsPerSecond, generate: (n) => generator.event(n), timestamp: (n) => generator.timestampForEvent(n) });
    this.generator = generator;
  }
}
