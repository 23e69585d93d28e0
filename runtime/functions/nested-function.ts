import { functionOf, perSubtask, richOf, type RichFunction } from './functions.ts';
import type { RuntimeContext } from './runtime-context.ts';

/**
 * A user function that the engine calls from inside another function it runs (the join function
 * inside a window join's coGroup, the coGroup function inside a window function): created in the
 * outer function's `open`, so it gets its own instance per subtask, and opened and closed with it.
 */
export class NestedFunction<F extends (...args: never[]) => unknown> {
  readonly call: F;
  private readonly instance: unknown;

  constructor(fn: F | RichFunction, method: string, context: RuntimeContext) {
    this.instance = perSubtask(fn);
    this.call = functionOf(this.instance as never, method);
    richOf(this.instance)?.open?.(context);
  }

  close(): void {
    richOf(this.instance)?.close?.();
  }
}
