import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** Errors that mean "not listening yet": a peer process may still be starting. */
const RETRIABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const FIRST_BACKOFF_MS = 20;
const MAX_BACKOFF_MS = 500;

/**
 * Opens a TCP connection, retrying with exponential backoff while the peer refuses, until
 * `timeoutMs` has passed or `signal` aborts. Rejects with the last error.
 */
export async function connectWithRetry(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  let backoff = FIRST_BACKOFF_MS;
  for (;;) {
    try {
      return await connectOnce(host, port, signal);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const remaining = deadline - Date.now();
      if (signal.aborted || !RETRIABLE.has(code) || remaining <= 0) throw error;
      await delay(Math.min(backoff, remaining), undefined, { signal }).catch(() => undefined);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
}

function connectOnce(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('connect aborted'));
      return;
    }
    const socket = connect({ host, port });
    const onAbort = (): void => {
      socket.destroy();
      reject(new Error('connect aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    });
  });
}
