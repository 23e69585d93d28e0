import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, LifecycleHandler, Probe } from '../kube-api/kube-types.ts';
import type { ProcessCommand } from './mount-namespace.ts';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

/** Where and how a probe reaches its container. */
export interface ProbeTarget {
  podIP: string;
  container: Container;
  env: Record<string, string>;
  cwd: string;
  /** Builds the command that runs an exec probe inside the container. */
  execCommand: (argv: string[]) => ProcessCommand;
  /** Aborted when the container instance ends: exec processes still running are killed. */
  signal: AbortSignal;
}

function resolvePort(port: number | string, container: Container): number {
  if (typeof port === 'number') return port;
  if (/^[0-9]+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (named === undefined) throw new Error(`probe port "${port}" names no port of container "${container.name}"`);
  return named.containerPort;
}

/** Runs one probe attempt; resolves true on success, never rejects. */
export function runProbe(probe: Probe, target: ProbeTarget): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) return httpProbe(probe.httpGet, target, timeoutMs);
    if (probe.tcpSocket) return tcpProbe(probe.tcpSocket.host ?? target.podIP, resolvePort(probe.tcpSocket.port, target.container), timeoutMs);
    if (probe.exec) return execProbe(target.execCommand(probe.exec.command), target, timeoutMs);
  } catch {
    return Promise.resolve(false);
  }
  return Promise.resolve(false);
}

/**
 * Runs a lifecycle hook to completion or until `timeoutMs`; resolves whether it succeeded.
 * `sleep` simply waits (the Kubernetes `sleep` action).
 */
export function runLifecycleHandler(handler: LifecycleHandler, target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  if (handler.sleep) return new Promise((resolve) => setTimeout(() => resolve(true), Math.min(handler.sleep!.seconds * 1000, timeoutMs)));
  return runProbe({ ...handler, timeoutSeconds: timeoutMs / 1000 }, target);
}

function httpProbe(get: NonNullable<Probe['httpGet']>, target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  const request = get.scheme === 'HTTPS' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.33', accept: '*/*' };
    for (const h of get.httpHeaders ?? []) headers[h.name] = h.value;
    const req = request(
      {
        host: get.host ?? target.podIP,
        port: resolvePort(get.port, target.container),
        path: get.path ?? '/',
        method: 'GET',
        headers,
        timeout: timeoutMs,
        rejectUnauthorized: false,
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(status >= 200 && status < 400);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function execProbe(command: ProcessCommand, target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  if (target.signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(command.file, command.args, { cwd: target.cwd, env: target.env, stdio: 'ignore', detached: true });
    const kill = () => killGroup(child.pid);
    const timer = setTimeout(kill, timeoutMs);
    target.signal.addEventListener('abort', kill, { once: true });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      target.signal.removeEventListener('abort', kill);
      kill();
      resolve(ok);
    };
    child.once('error', () => done(false));
    child.once('exit', (code) => done(code === 0));
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * One probe's schedule and thresholds: first attempt after `initialDelaySeconds`, then every
 * `periodSeconds`; the result flips after `successThreshold` consecutive successes or
 * `failureThreshold` consecutive failures. `onResult` is called on every flip.
 */
export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;

  constructor(
    private readonly probe: Probe,
    private result: boolean,
    private readonly attempt: () => Promise<boolean>,
    private readonly onResult: (success: boolean) => void,
  ) {}

  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    const ok = await this.attempt();
    if (this.stopped) return;
    if (ok) {
      this.successes++;
      this.failures = 0;
    } else {
      this.failures++;
      this.successes = 0;
    }
    if (ok && !this.result && this.successes >= (this.probe.successThreshold ?? 1)) {
      this.result = true;
      this.onResult(true);
    } else if (!ok && this.result && this.failures >= (this.probe.failureThreshold ?? 3)) {
      this.result = false;
      this.onResult(false);
    }
    this.schedule((this.probe.periodSeconds ?? 10) * 1000);
  }
}
