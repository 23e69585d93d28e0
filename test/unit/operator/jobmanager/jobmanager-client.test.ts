import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deriveRunKey, restToken } from '../../../../runtime/rest/run-key.ts';
import { JobManagerClient, JobManagerRequestError } from '../../../../operator/jobmanager/jobmanager-client.ts';

const operatorKey = Buffer.alloc(32, 3);
const JOB = '6f1c0000-0000-4000-8000-000000000001-2';
const LIMIT = 64 * 1024;

let server: Server;
let baseUrl: string;
const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
/** What the next request is answered with. */
let reply: (res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    req.resume();
    req.on('end', () => reply(res));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const client = new JobManagerClient(operatorKey, 3000, LIMIT);

describe('the operator\'s JobManager client', () => {
  it('sends the run\'s bearer token, derived from the operator\'s key and the job id, with every request', async () => {
    seen.length = 0;
    reply = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"triggerId":"t-1"}');
    expect(await client.triggerSavepoint(baseUrl, JOB)).toBe('t-1');
    await client.cancel(baseUrl, JOB);
    const token = restToken(deriveRunKey(operatorKey, JOB));
    expect(seen.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['POST', `/jobs/${JOB}/savepoints`, `Bearer ${token}`],
      ['PATCH', `/jobs/${JOB}?mode=cancel`, `Bearer ${token}`],
    ]);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('disposes of a savepoint (POST /savepoint-disposal, then its trigger), with the HTTP status of a refusal', async () => {
    seen.length = 0;
    reply = (res) => res.writeHead(202, { 'content-type': 'application/json' }).end('{"triggerId":"d-1"}');
    expect(await client.disposeSavepoint(baseUrl, JOB, 's3://b/p/sp-1')).toBe('d-1');
    expect(seen.map((r) => [r.method, r.url])).toEqual([['POST', '/savepoint-disposal']]);
    const answers: Array<[number, string]> = [
      [200, '{"status":{"id":"IN_PROGRESS"}}'],
      [200, '{"status":{"id":"COMPLETED"},"operation":{}}'],
      [200, '{"status":{"id":"COMPLETED"},"operation":{"failureCause":"S3 bucket \\"b\\": delete failed"}}'],
      [404, '{"errors":["no savepoint disposal with trigger id \\"d-1\\""]}'],
    ];
    const observed = [];
    for (const [code, body] of answers) {
      reply = (res) => res.writeHead(code, { 'content-type': 'application/json' }).end(body);
      observed.push(await client.savepointDisposalStatus(baseUrl, JOB, 'd-1'));
    }
    expect(observed).toEqual([
      { status: 'IN_PROGRESS' },
      { status: 'COMPLETED' },
      { status: 'FAILED', cause: 'S3 bucket "b": delete failed' },
      { status: 'FAILED', cause: `GET ${baseUrl}/savepoint-disposal/d-1: HTTP 404: no savepoint disposal with trigger id "d-1"` },
    ]);
    reply = (res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"errors":["not a savepoint of this job"]}');
    const refused = await client.disposeSavepoint(baseUrl, JOB, '/etc').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(JobManagerRequestError);
    expect([(refused as JobManagerRequestError).status, (refused as Error).message]).toEqual([400, `POST ${baseUrl}/savepoint-disposal: HTTP 400: not a savepoint of this job`]);
  });

  it('reports a 401 as an error of the call', async () => {
    reply = (res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":["unauthorized"]}');
    await expect(client.cancel(baseUrl, JOB)).rejects.toThrow(`PATCH ${baseUrl}/jobs/${JOB}?mode=cancel: HTTP 401: unauthorized`);
  });

  it('refuses a reply whose declared length is over the limit, without reading it', async () => {
    reply = (res) => res.writeHead(200, { 'content-length': String(LIMIT + 1) }).end('x'.repeat(LIMIT + 1));
    await expect(client.cancel(baseUrl, JOB)).rejects.toThrow(`PATCH ${baseUrl}/jobs/${JOB}?mode=cancel: HTTP 200: reply larger than ${LIMIT} bytes, not read`);
  });

  it('stops reading a chunked reply once it passes the limit, though the server goes on sending', async () => {
    let sent = 0;
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      // Endless: only the client's limit ends this reply.
      const write = () => {
        while (!res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
      };
      write();
    };
    const observed = await client.observe(baseUrl, JOB);
    expect(observed).toEqual({ reachable: false, error: `GET ${baseUrl}/jobs/${JOB}: HTTP 200: reply larger than ${LIMIT} bytes, not read` });
    expect(sent).toBeGreaterThan(LIMIT);
  });
});
