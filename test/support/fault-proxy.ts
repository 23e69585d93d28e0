import { afterAll, beforeAll } from '@jest/globals';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { startS3Server, type S3Server } from '../../sandbox/s3/server.ts';

/** An answer with an S3 error document instead of the server's. */
export interface S3ErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * What the proxy does with one request: pass it on, answer 503 ServiceUnavailable (or another S3
 * error), or reset the connection.
 */
export type Fault = 'pass' | '503' | 'reset' | S3ErrorAnswer;

const UNAVAILABLE: S3ErrorAnswer = { status: 503, code: 'ServiceUnavailable', message: 'Injected by the fault proxy' };

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to clients instead of the upstream endpoint. */
  readonly endpoint: string;
  /** Decides per request; change it at any time (e.g. to heal the upstream). */
  fault: (request: IncomingMessage) => Fault;
  /** The faults injected so far, as `<fault> <method> <path>`. */
  readonly injected: string[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy on loopback in front of an S3 server (real TCP both ways) that injects faults per
 * request. Requests pass with their headers unchanged, Host included, so SigV4 signatures made for
 * the proxy's endpoint still verify upstream.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const fault = proxy.fault(req);
    if (fault !== 'pass') proxy.injected.push(`${typeof fault === 'string' ? fault : fault.status} ${req.method} ${req.url}`);
    if (fault === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault !== 'pass') {
      const { status, code, message } = fault === '503' ? UNAVAILABLE : fault;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/xml', connection: 'close' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
      return;
    }
    const forward = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      pipeline(answer, res, () => undefined);
    });
    forward.on('error', () => req.socket.destroy());
    pipeline(req, forward, () => undefined);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const proxy: FaultProxy = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fault: () => 'pass',
    injected: [],
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
  return proxy;
}

/**
 * MinIO with a bucket `checkpoints` and a fault proxy in front of it, started before the tests of
 * one file and stopped after them; the fields are set once they run.
 */
export function useS3BehindFaultProxy(directory: () => string): { s3: S3Server; proxy: FaultProxy } {
  const parts = {} as { s3: S3Server; proxy: FaultProxy };
  beforeAll(async () => {
    parts.s3 = await startS3Server({ directory: directory(), buckets: ['checkpoints'] });
    parts.proxy = await startFaultProxy(parts.s3.endpoint);
  }, 60_000);
  afterAll(async () => {
    await parts.proxy?.close();
    await parts.s3?.stop();
  });
  return parts;
}
