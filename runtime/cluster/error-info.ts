import type { TaskError } from '../rpc/rpc-messages.ts';

/** An error as it travels in RPC messages and logs: name, message, stack. */
export function errorInfo(error: unknown): TaskError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack ?? `${error.name}: ${error.message}` };
  return { name: 'Error', message: String(error), stack: String(error) };
}
