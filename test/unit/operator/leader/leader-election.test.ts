import { describe, it, expect, afterEach } from '@jest/globals';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { LeaderElector } from '../../../../operator/leader/leader-election.ts';

// A loopback HTTP server stands in for the API server's Lease endpoint: it answers as told, or never.
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done) ?? done(undefined));
  server = undefined;
});

async function apiServer(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<KubeConfig> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'test', token: 'unused' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
    currentContext: 'test',
  });
  return kc;
}

/** A logger that keeps what was logged at warn and above. */
function recordingLogger(): { logger: pino.Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, lines };
}

const timing = { leaseDurationMs: 3000, renewDeadlineMs: 600, retryPeriodMs: 100 };

describe('leader election', () => {
  it('steps down within the renew deadline when the API server stops answering, aborting the hung calls', async () => {
    let created = false;
    let hung = 0;
    let aborted = 0;
    const kc = await apiServer((req, res, body) => {
      if (req.method === 'GET' && !created) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","code":404}');
      if (req.method === 'POST') {
        created = true;
        return void res.writeHead(201, { 'content-type': 'application/json' }).end(body);
      }
      // Never answers from now on; the client must give up.
      hung++;
      res.on('close', () => aborted++);
    });
    const { logger, lines } = recordingLogger();
    const events: string[] = [];
    const started = Date.now();
    let stoppedAt = 0;
    const elector = new LeaderElector({
      kc, namespace: 'ops', name: 'lease', identity: 'a', ...timing, logger,
      onStartedLeading: () => events.push('started'),
      onStoppedLeading: () => {
        events.push('stopped');
        stoppedAt = Date.now();
      },
    });
    elector.start();
    await waitUntil(() => events.includes('stopped'), 5000);
    await elector.stop();
    expect(events).toEqual(['started', 'stopped']);
    expect(elector.isLeader()).toBe(false);
    // Within the deadline and one retry period of the last renewal (the create).
    expect(stoppedAt - started).toBeLessThan(timing.renewDeadlineMs + 2 * timing.retryPeriodMs + 400);
    await waitUntil(() => aborted === hung, 2000);
    expect(hung).toBeGreaterThan(0);
    // The same error each time: one warning, then the step-down.
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'leader election attempt failed: The user aborted a request.'],
      [50, 'could not renew the leader lease within the renew deadline; stepping down'],
    ]);
  });

  it('is no longer leader once its renew deadline has passed, before any tick notices (a frozen process)', async () => {
    const kc = await apiServer((req, res, body) => {
      if (req.method === 'GET') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","code":404}');
      res.writeHead(201, { 'content-type': 'application/json' }).end(body);
    });
    const { logger } = recordingLogger();
    let started = false;
    const elector = new LeaderElector({ kc, namespace: 'ops', name: 'lease', identity: 'a', ...timing, retryPeriodMs: 60_000, logger, onStartedLeading: () => (started = true), onStoppedLeading: () => undefined });
    elector.start();
    await waitUntil(() => started, 5000);
    expect(elector.isLeader()).toBe(true);
    // Its timer will not fire for a minute: only the clock says the lease may be someone else's now.
    await new Promise((done) => setTimeout(done, timing.renewDeadlineMs + 50));
    expect(elector.isLeader()).toBe(false);
    await elector.stop();
  });
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 20));
  }
}
