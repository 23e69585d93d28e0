import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

/** What the proxy does with one request: pass it on, answer 503 with an S3 error document, or reset the connection. */
export type Fault = 'pass' | '503' | 'reset';

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
    if (fault !== 'pass') proxy.injected.push(`${fault} ${req.method} ${req.url}`);
    if (fault === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === '503') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml', connection: 'close' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>Injected by the fault proxy</Message></Error>');
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
