import type { RichFunction } from '../functions/functions.ts';
import { richOf } from '../functions/functions.ts';
import type { TimerService } from '../state/timer-service.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import { StreamingRuntimeContext } from './streaming-runtime-context.ts';

/** An operator around user functions: opens and closes the rich ones with a runtime context. */
export abstract class AbstractUdfStreamOperator extends AbstractStreamOperator {
  private readonly rich: RichFunction[];

  constructor(...userFunctions: unknown[]) {
    super();
    this.rich = userFunctions.map(richOf).filter((f): f is RichFunction => f !== undefined);
  }

  override open(): void {
    if (this.rich.length === 0) return;
    const context = new StreamingRuntimeContext(this.ctx, this.keyed, this.operatorState);
    for (const f of this.rich) f.open?.(context);
  }

  override close(): void {
    for (const f of this.rich) f.close?.();
  }

  /** Timers for user functions, scoped to the current key; only keyed operators may register. */
  protected timerService(): TimerService {
    const op = this;
    const timers = () => {
      if (!op.timers) throw new Error(`timers are only available on a keyed stream (after keyBy) in operator "${op.ctx.name}"`);
      return op.timers;
    };
    return {
      currentProcessingTime: () => op.ctx.time.now(),
      currentWatermark: () => op.currentWatermark,
      registerEventTimeTimer: (t) => timers().register('event-time', t),
      registerProcessingTimeTimer: (t) => timers().register('processing-time', t),
      deleteEventTimeTimer: (t) => timers().delete('event-time', t),
      deleteProcessingTimeTimer: (t) => timers().delete('processing-time', t),
    };
  }
}
