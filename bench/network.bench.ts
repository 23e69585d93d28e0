// The data plane between two processes, against the raw limit measured in the same run:
//  (a) raw: msgpackr encode of 1,000-record batches -> length-prefixed frames on loopback TCP ->
//      decode in a second process; no engine.
//  (b) the data plane moving the same records (DataPlane writer -> credits, framing -> DataPlane
//      input channel, decoded when polled), over 1 channel and over 4 channels on one connection,
//      and over 1 channel with event timestamps (which the raw baseline does not carry).
//  (c) latency of one record at a fixed moderate rate, relying on the buffer timeout and with a
//      flush after each burst (as a task flushes at the end of an input batch), against the same
//      rate sent raw.
// The receiving process is this file, started with a role argument.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import type { Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Packr, Unpackr } from 'msgpackr';
import { resolveConfig } from '../runtime/config/load-config.ts';
import { DataPlane } from '../runtime/network/data-plane.ts';
import { deriveRunKey } from '../runtime/rest/run-key.ts';
import { NO_TIMESTAMP } from '../runtime/core/timestamps.ts';
import type { BenchResult } from './bench-result.ts';

/** Both ends of the bench's data planes authenticate, as in a cluster (the key's value does not matter). */
const BENCH_RUN_KEY = deriveRunKey(Buffer.from('bench'), 'network');

const RECORDS = 1_000_000;
const BATCH = 1000;
const WORDS = Array.from({ length: 1000 }, (_, i) => `word-${i}`);
const LATENCY_RATE_PER_MS = 10;
const LATENCY_DURATION_MS = 2000;
const EPOCH_MS = 1_764_000_000_000;
const network = resolveConfig({}).network;

interface Record {
  word: string;
  count: number;
  t?: number;
}

interface SinkReport {
  records: number;
  checksum: number;
  p50?: number;
  p99?: number;
}

const now = (): number => performance.timeOrigin + performance.now();

// ---- the receiving process ----

/** Per-record bookkeeping of a sink: count, checksum, and latency when records carry a send time. */
class Tally {
  records = 0;
  checksum = 0;
  private readonly latencies: number[] = [];

  add(values: readonly unknown[]): void {
    const arrival = (values[0] as Record | undefined)?.t === undefined ? 0 : now();
    for (let i = 0; i < values.length; i++) {
      const record = values[i] as Record;
      this.checksum = (this.checksum + record.count) % 1_000_000_007;
      if (record.t !== undefined) this.latencies.push(arrival - record.t);
    }
    this.records += values.length;
  }

  report(): SinkReport {
    const sorted = this.latencies.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return sorted.length === 0 ? { records: this.records, checksum: this.checksum } : { records: this.records, checksum: this.checksum, p50: at(0.5), p99: at(0.99) };
  }
}

function rawSink(): void {
  const unpackr = new Unpackr({ useRecords: true });
  const tally = new Tally();
  const server = createServer((socket) => {
    let pending: Buffer | null = null;
    socket.on('data', (chunk: Buffer) => {
      let data = pending === null ? chunk : Buffer.concat([pending, chunk]);
      pending = null;
      let offset = 0;
      while (data.length - offset >= 4) {
        const length = data.readUInt32BE(offset);
        if (length === 0) {
          process.stdout.write(`${JSON.stringify(tally.report())}\n`);
          socket.end();
          server.close();
          return;
        }
        if (data.length - offset - 4 < length) break;
        tally.add(unpackr.unpack(data.subarray(offset + 4, offset + 4 + length)) as unknown[]);
        offset += 4 + length;
      }
      if (offset < data.length) pending = data.subarray(offset);
      data = Buffer.alloc(0);
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ address: `127.0.0.1:${(server.address() as { port: number }).port}` })}\n`));
}

async function planeSink(channels: number): Promise<void> {
  const plane = new DataPlane({ jobId: 'bench', fencingToken: 1, processId: 'sink', network, runKey: BENCH_RUN_KEY });
  const tally = new Tally();
  let open = channels;
  for (let c = 0; c < channels; c++) {
    const input = plane.registerInput(c);
    input.setAvailabilityListener(() => {
      for (let element = input.poll(); element !== null; element = input.poll()) {
        if ('values' in element) tally.add(element.values);
        else if (element.kind === 'end-of-partition' && --open === 0) {
          process.stdout.write(`${JSON.stringify(tally.report())}\n`);
          void plane.close(5000);
        }
      }
    });
  }
  const address = await plane.listen('127.0.0.1', 0);
  process.stdout.write(`${JSON.stringify({ address })}\n`);
}

// ---- the sending process ----

/** Starts a sink process; resolves to its address and a promise of its report. */
async function startSink(role: string, ...args: string[]): Promise<{ child: ChildProcess; address: string; report: Promise<SinkReport> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), role, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: ((line: string) => void)[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.shift()?.(line);
    }
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      lines.push(resolve);
      child.once('exit', (code) => reject(new Error(`${role} sink exited with ${code}`)));
    });
  const address = (JSON.parse(await nextLine()) as { address: string }).address;
  return { child, address, report: nextLine().then((line) => JSON.parse(line) as SinkReport) };
}

function record(i: number): Record {
  return { word: WORDS[i % WORDS.length]!, count: i };
}

function expectedChecksum(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum = (sum + i) % 1_000_000_007;
  return sum;
}

function check(report: SinkReport, records: number, checksum: number | null, what: string): void {
  if (report.records !== records || (checksum !== null && report.checksum !== checksum)) {
    throw new Error(`${what}: the sink got ${report.records} records (checksum ${report.checksum}), expected ${records} (checksum ${checksum})`);
  }
}

async function dial(address: string): Promise<Socket> {
  const [host, port] = address.split(':');
  const socket = connect({ host: host!, port: Number(port) });
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

function writeFrame(socket: Socket, body: Uint8Array): boolean {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length, 0);
  socket.write(header);
  return socket.write(body);
}

/** (a) records/s of msgpackr batches over raw TCP. */
export async function rawThroughput(n: number): Promise<number> {
  const sink = await startSink('raw-sink');
  try {
    const socket = await dial(sink.address);
    const packr = new Packr({ useRecords: true });
    const start = performance.now();
    const batch: Record[] = [];
    for (let i = 0; i < n; i++) {
      batch.push(record(i));
      if (batch.length === BATCH || i === n - 1) {
        const more = writeFrame(socket, packr.pack(batch));
        batch.length = 0;
        if (!more) await new Promise((resolve) => socket.once('drain', resolve));
      }
    }
    socket.write(Buffer.alloc(4));
    const report = await sink.report;
    const seconds = (performance.now() - start) / 1000;
    check(report, n, expectedChecksum(n), 'raw');
    socket.destroy();
    return n / seconds;
  } finally {
    sink.child.kill('SIGKILL');
  }
}

/**
 * (b) records/s through the data plane, spread over `channels` channels of one connection; with
 * `eventTime`, each record carries a millisecond timestamp (delta-encoded on the wire).
 */
async function planeThroughput(n: number, channels: number, eventTime = false): Promise<number> {
  const sink = await startSink('plane-sink', String(channels));
  const plane = new DataPlane({ jobId: 'bench', fencingToken: 1, processId: 'source', network, runKey: BENCH_RUN_KEY });
  try {
    const writers = Array.from({ length: channels }, (_, c) => plane.createWriter(sink.address, c));
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const writer = writers[i % channels]!;
      if (!writer.isAvailable()) await writer.availability();
      writer.emit(record(i), eventTime ? EPOCH_MS + i : NO_TIMESTAMP);
    }
    for (const writer of writers) {
      writer.emitEvent({ kind: 'end-of-partition' });
      writer.close();
    }
    const report = await sink.report;
    const seconds = (performance.now() - start) / 1000;
    check(report, n, expectedChecksum(n), `data plane, ${channels} channels`);
    return n / seconds;
  } finally {
    await plane.close();
    sink.child.kill('SIGKILL');
  }
}

/** Sends LATENCY_RATE_PER_MS records every millisecond for LATENCY_DURATION_MS; `send` gets each burst. */
async function paced(send: (burst: Record[]) => void): Promise<number> {
  let sent = 0;
  const burst: Record[] = [];
  const end = performance.now() + LATENCY_DURATION_MS;
  while (performance.now() < end) {
    for (let k = 0; k < LATENCY_RATE_PER_MS; k++) burst.push({ ...record(sent++), t: now() });
    send(burst);
    burst.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return sent;
}

/** (c, baseline) latency of records sent raw, one frame per burst. */
export async function rawLatency(): Promise<SinkReport> {
  const sink = await startSink('raw-sink');
  try {
    const socket = await dial(sink.address);
    const packr = new Packr({ useRecords: true });
    const sent = await paced((burst) => writeFrame(socket, packr.pack(burst)));
    socket.write(Buffer.alloc(4));
    const report = await sink.report;
    check(report, sent, null, 'raw latency');
    socket.destroy();
    return report;
  } finally {
    sink.child.kill('SIGKILL');
  }
}

/** (c) latency through the data plane; with `flushEachBurst` the writer is flushed after every burst. */
async function planeLatency(flushEachBurst: boolean): Promise<SinkReport> {
  const sink = await startSink('plane-sink', '1');
  const plane = new DataPlane({ jobId: 'bench', fencingToken: 1, processId: 'source', network, runKey: BENCH_RUN_KEY });
  try {
    const writer = plane.createWriter(sink.address, 0);
    const sent = await paced((burst) => {
      for (const r of burst) writer.emit(r, NO_TIMESTAMP);
      if (flushEachBurst) writer.flush();
    });
    writer.emitEvent({ kind: 'end-of-partition' });
    writer.close();
    const report = await sink.report;
    check(report, sent, null, 'data-plane latency');
    return report;
  } finally {
    await plane.close();
    sink.child.kill('SIGKILL');
  }
}

export async function run(): Promise<BenchResult[]> {
  // Best of five, interleaved: the machine is shared, and the best run is the least disturbed one.
  let raw = 0;
  let one = 0;
  let four = 0;
  let timed = 0;
  for (let round = 0; round < 5; round++) {
    raw = Math.max(raw, await rawThroughput(RECORDS));
    one = Math.max(one, await planeThroughput(RECORDS, 1));
    four = Math.max(four, await planeThroughput(RECORDS, 4));
    timed = Math.max(timed, await planeThroughput(RECORDS, 1, true));
  }
  const rawLat = await rawLatency();
  const timeoutLat = await planeLatency(false);
  const flushedLat = await planeLatency(true);
  const latency = (name: string, value: number, baseline: number): BenchResult => ({ name, unit: 'ms', value, baseline, ratio: value / baseline });
  return [
    { name: 'network: data plane, 1 channel, vs raw msgpackr+TCP (records/s)', unit: 'records/s', value: one, baseline: raw, ratio: one / raw },
    { name: 'network: data plane, 4 channels, vs raw msgpackr+TCP (records/s)', unit: 'records/s', value: four, baseline: raw, ratio: four / raw },
    { name: 'network: data plane, 1 channel, event timestamps, vs raw msgpackr+TCP (records/s)', unit: 'records/s', value: timed, baseline: raw, ratio: timed / raw },
    latency(`network: latency p50 at ${LATENCY_RATE_PER_MS}k rec/s, ${network.bufferTimeout}ms buffer timeout, vs raw (lower is better)`, timeoutLat.p50!, rawLat.p50!),
    latency(`network: latency p99 at ${LATENCY_RATE_PER_MS}k rec/s, ${network.bufferTimeout}ms buffer timeout, vs raw (lower is better)`, timeoutLat.p99!, rawLat.p99!),
    latency(`network: latency p50 at ${LATENCY_RATE_PER_MS}k rec/s, flush per burst, vs raw (lower is better)`, flushedLat.p50!, rawLat.p50!),
    latency(`network: latency p99 at ${LATENCY_RATE_PER_MS}k rec/s, flush per burst, vs raw (lower is better)`, flushedLat.p99!, rawLat.p99!),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const role = process.argv[2];
  if (role === 'raw-sink') rawSink();
  else if (role === 'plane-sink') await planeSink(Number(process.argv[3]));
  else for (const result of await run()) console.log(JSON.stringify(result));
}
