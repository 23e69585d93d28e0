import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeResolutionTable } from '../../../../sandbox/dns/resolution-table.ts';
import { PodIpPool } from '../../../../sandbox/kubelet/pod-ip-pool.ts';

const PRELOAD = fileURLToPath(new URL('../../../../sandbox/dns/preload.cjs', import.meta.url));

/** Runs a Node ES module source with the preload, returns its stdout lines; fails on a non-zero exit. */
function runWithPreload(source: string, env: Record<string, string>, onLine?: (line: string) => void): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: `--require ${PRELOAD}`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (onLine) for (const line of d.split('\n').filter(Boolean)) onLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim().split('\n'));
      else reject(new Error(`client exited ${code}: ${err}`));
    });
  });
}

describe('service DNS preload', () => {
  let pool: PodIpPool;
  let dir: string;
  const servers: Server[] = [];
  let web: string;
  let rpc0: string;
  let rpc1: string;
  let table: string;
  let env: Record<string, string>;

  const listen = (ip: string) =>
    new Promise<void>((resolve) => {
      const server = createServer((req, res) => res.end(`${req.socket.localAddress} ${req.url}`));
      servers.push(server);
      server.listen(8080, ip, () => resolve());
    });

  beforeAll(async () => {
    pool = PodIpPool.claim();
    [web, rpc0, rpc1] = [pool.allocate(), pool.allocate(), pool.allocate()];
    dir = mkdtempSync(join(tmpdir(), 'dns-preload-'));
    table = join(dir, 'table.json');
    writeResolutionTable(table, {
      names: {
        'web.jobs.svc.cluster.local': [web],
        'rpc.jobs.svc.cluster.local': [rpc0, rpc1],
        'jm.rpc.jobs.svc.cluster.local': [rpc1],
      },
    });
    env = { SANDBOX_DNS_TABLE: table, SANDBOX_DNS_SEARCH: 'jobs.svc.cluster.local svc.cluster.local cluster.local' };
    await Promise.all([web, rpc0, rpc1].map(listen));
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes fetch, http.get, net.connect and dns.promises reach Service and pod names', async () => {
    const lines = await runWithPreload(
      `
      import net from 'node:net'; import http from 'node:http'; import dns from 'node:dns';
      console.log('fetch ' + await (await fetch('http://web:8080/a')).text());
      console.log('http ' + await new Promise((res) => http.get('http://web.jobs:8080/b', (m) => { let b = ''; m.on('data', (d) => (b += d)); m.on('end', () => res(b)); })));
      console.log('net ' + await new Promise((res) => { const s = net.connect(8080, 'jm.rpc.jobs.svc.cluster.local', () => { res(s.remoteAddress); s.destroy(); }); }));
      console.log('headless ' + (await dns.promises.lookup('rpc.jobs.svc', { all: true })).map((a) => a.address).join(','));
      console.log('absolute ' + (await dns.promises.lookup('web.jobs.svc.cluster.local.')).address);
      const err = await fetch('http://nothing.jobs.svc.cluster.local:8080/').catch((e) => e.cause.code);
      console.log('missing ' + err);
      const other = await new Promise((res) => dns.lookup('nothing.other.svc', (e) => res(e.code)));
      console.log('missing-svc ' + other);
      console.log('localhost ' + (await dns.promises.lookup('localhost', { family: 4 })).address);
      console.log('resolve4 ' + (await dns.promises.resolve4('rpc')).join(','));
      console.log('resolve4-ttl ' + JSON.stringify(await dns.promises.resolve4('web', { ttl: true })));
      console.log('resolve4-cb ' + (await new Promise((res) => dns.resolve4('web.jobs', (e, a) => res(e ? e.code : a.join(','))))));
      `,
      env,
    );
    expect(lines).toEqual([
      `fetch ${web} /a`,
      `http ${web} /b`,
      `net ${rpc1}`,
      `headless ${rpc0},${rpc1}`,
      `absolute ${web}`,
      'missing ENOTFOUND',
      'missing-svc ENOTFOUND',
      'localhost 127.0.0.1',
      `resolve4 ${rpc0},${rpc1}`,
      `resolve4-ttl [{"address":"${web}","ttl":5}]`,
      `resolve4-cb ${web}`,
    ]);
  });

  it('picks up a rewritten table in a running process', async () => {
    const lines = await runWithPreload(
      `
      import dns from 'node:dns';
      const first = (await dns.promises.lookup('web')).address;
      console.log('first ' + first);
      const deadline = Date.now() + 10_000;
      let now = first;
      while (now === first && Date.now() < deadline) { await new Promise((r) => setTimeout(r, 20)); now = (await dns.promises.lookup('web')).address; }
      console.log('then ' + now);
      `,
      env,
      (line) => {
        if (line.startsWith('first')) writeResolutionTable(table, { names: { 'web.jobs.svc.cluster.local': [rpc0] } });
      },
    );
    expect(lines).toEqual([`first ${web}`, `then ${rpc0}`]);
  });
});
