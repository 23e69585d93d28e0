import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
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
  /** `https://host:port` (or `http://` for a plain server). */
  server: string;
  /** How the client authenticates: a client certificate (a kubelet's `system:node:<name>`) or a bearer token. */
  credentials: { cert: string; key: string } | { token: string };
  /** PEM CA bundle the server's certificate is verified against. */
  ca?: string;
}

/**
 * The kubelet's client of the API server: plain REST over HTTPS with a client certificate (or a
 * bearer token), as the real kubelet is a plain client of the API server.
 */
export class ApiClient {
  private readonly url: URL;
  private readonly agent: Agent | undefined;
  private readonly authorization: { authorization?: string };

  constructor(options: ApiClientOptions) {
    this.url = new URL(options.server);
    const certificate = 'cert' in options.credentials ? { cert: options.credentials.cert, key: options.credentials.key } : {};
    this.agent = this.url.protocol === 'https:' ? new Agent({ keepAlive: true, ...certificate, ...(options.ca === undefined ? {} : { ca: options.ca }) }) : undefined;
    this.authorization = 'token' in options.credentials ? { authorization: `Bearer ${options.credentials.token}` } : {};
  }

  private send(method: string, path: string, body: string | undefined, contentType: string, signal?: AbortSignal): Promise<IncomingMessage> {
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          path,
          method,
          agent: this.agent,
          headers: {
            ...this.authorization,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }),
          },
          ...(signal === undefined ? {} : { signal }),
        },
        resolve,
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), contentType);
    let text = '';
    res.setEncoding('utf8');
    for await (const chunk of res) text += chunk;
    const parsed = text.length > 0 ? safeJson(text) : undefined;
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw apiError(code, `${method} ${path}`, parsed, text);
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** Streams watch events until the server ends the response or `signal` aborts. */
  async watch<T>(path: string, signal: AbortSignal, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    const res = await this.send('GET', path, undefined, '', signal);
    const code = res.statusCode ?? 0;
    if (code !== 200) {
      let text = '';
      for await (const chunk of res) text += chunk;
      throw apiError(code, `WATCH ${path}`, safeJson(text), text);
    }
    const lines = createInterface({ input: res });
    try {
      for await (const line of lines) {
        if (line.trim().length > 0) onEvent(JSON.parse(line) as WatchEvent<T>);
      }
    } finally {
      lines.close();
      res.destroy();
    }
  }

  close(): void {
    this.agent?.destroy();
  }
}

function apiError(code: number, what: string, parsed: unknown, text: string): ApiError {
  const status = parsed as { reason?: string; message?: string } | undefined;
  return new ApiError(code, status?.reason ?? 'Unknown', `${what}: ${code} ${status?.message ?? text}`);
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
