import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

/** A Kubernetes API `Status` error answer, kept whole so callers can branch on `code`/`reason`. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface ApiClientOptions {
  server: string;
  token: string;
}

/**
 * The kubelet's client of the API server: plain REST over fetch with a bearer token, as the real
 * kubelet is a plain client of the API server (no shared memory with it).
 */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await fetch(this.options.server + path, {
      method,
      headers: {
        authorization: `Bearer ${this.options.token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': contentType }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text.length > 0 ? safeJson(text) : undefined;
    if (!res.ok) {
      const status = parsed as { reason?: string; message?: string } | undefined;
      throw new ApiError(res.status, status?.reason ?? res.statusText, `${method} ${path}: ${res.status} ${status?.message ?? text}`);
    }
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** Streams watch events until the server ends the response or `signal` aborts. */
  async watch<T>(path: string, signal: AbortSignal, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    const res = await fetch(this.options.server + path, {
      headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json' },
      signal,
    });
    if (!res.ok || res.body === null) {
      const text = await res.text();
      const status = safeJson(text) as { reason?: string; message?: string } | undefined;
      throw new ApiError(res.status, status?.reason ?? res.statusText, `WATCH ${path}: ${res.status} ${status?.message ?? text}`);
    }
    const input = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    const lines = createInterface({ input });
    try {
      for await (const line of lines) {
        if (line.trim().length > 0) onEvent(JSON.parse(line) as WatchEvent<T>);
      }
    } finally {
      lines.close();
      input.destroy();
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isApiError(err: unknown, code: number): boolean {
  return err instanceof ApiError && err.code === code;
}
