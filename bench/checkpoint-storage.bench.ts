// Time to checkpoint 100 MB of keyed state (128 key groups over 4 subtasks, uploaded concurrently as
// the subtasks would) to MinIO (the sandbox S3 server), against baselines measured in the same run: the
// same bytes through the filesystem storage, and the same files as raw single PutObject requests. A
// third figure shows the multipart part size's effect (8 MiB parts vs one PutObject per file).
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startS3Server } from '../sandbox/s3/server.ts';
import type { BenchResult } from './bench-result.ts';
import type { ObjectStore } from '../runtime/fs/object-store.ts';
import { CompletedCheckpointStore } from '../runtime/checkpoint/completed-checkpoint-store.ts';
import { openObjectStore } from '../runtime/fs/open-object-store.ts';
import { writeSubtaskState } from '../runtime/checkpoint/subtask-state-writer.ts';


const TOTAL_BYTES = 100 * 1024 * 1024;
const MAX_PARALLELISM = 128;
const PARALLELISM = 4;
const ROUNDS = 3;
const BUCKET = 'checkpoints';
const scope = { namespace: 'bench', jobName: 'keyed-state' };

const groupsPerSubtask = MAX_PARALLELISM / PARALLELISM;
const bytesPerSubtask = TOTAL_BYTES / PARALLELISM;
const bytesPerGroup = TOTAL_BYTES / MAX_PARALLELISM;

function stateBytes(): Buffer {
  const data = Buffer.allocUnsafe(TOTAL_BYTES);
  // Pseudo-random, so that nothing on the way can shortcut repetitive data.
  let x = 0x9e3779b9;
  for (let i = 0; i < TOTAL_BYTES; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data.writeInt32LE(x | 0, i);
  }
  return data;
}

/** Writes checkpoint `checkpointId` completely (state, then _metadata) and resolves to the seconds it took. */
async function checkpoint(storage: ObjectStore, data: Buffer, checkpointId: number): Promise<number> {
  const store = new CompletedCheckpointStore(storage, scope, 'run-1', { retained: 1 });
  const location = store.location(checkpointId);
  const started = process.hrtime.bigint();
  const subtasks = await Promise.all(
    Array.from({ length: PARALLELISM }, (_, subtask) => {
      const first = subtask * groupsPerSubtask;
      return writeSubtaskState(location, 'keyed-sum', subtask, {
        keyGroupRange: { start: first, end: first + groupsPerSubtask - 1 },
        keyGroups: Array.from({ length: groupsPerSubtask }, (_, i) => ({ keyGroup: first + i, bytes: data.subarray((first + i) * bytesPerGroup, (first + i + 1) * bytesPerGroup) })),
        operatorState: [],
      });
    }),
  );
  await location.writeMetadata({
    version: 1,
    checkpointId,
    jobId: 'run-1',
    kind: 'checkpoint',
    timestamp: Date.now(),
    operators: { 'keyed-sum': { parallelism: PARALLELISM, maxParallelism: MAX_PARALLELISM, subtasks } },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await store.applyRetention();
  return seconds;
}

async function rawPutObjects(client: S3Client, data: Buffer): Promise<number> {
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: PARALLELISM }, (_, subtask) =>
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `raw/${subtask}`, Body: data.subarray(subtask * bytesPerSubtask, (subtask + 1) * bytesPerSubtask) })),
    ),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function throughput(seconds: number): number {
  return TOTAL_BYTES / (1024 * 1024) / seconds;
}

export async function run(): Promise<BenchResult[]> {
  const workspace = await mkdtemp(join(tmpdir(), 'sluice-bench-checkpoint-'));
  const server = await startS3Server({ directory: join(workspace, 's3'), buckets: [BUCKET] });
  const connection = { endpoint: server.endpoint, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } };
  const s3 = await openObjectStore(`s3://${BUCKET}/multipart`, connection);
  // Parts larger than a subtask's file: one PutObject per file, as the raw baseline does.
  const s3SinglePart = await openObjectStore(`s3://${BUCKET}/single-part`, { ...connection, partSize: 32 * 1024 * 1024 });
  const filesystem = await openObjectStore(join(workspace, 'fs'));
  // The storage's own checksum settings, so that the baseline differs from it only in how it uploads.
  const client = new S3Client({ ...connection, region: 'us-east-1', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  try {
    const data = stateBytes();
    const measurements = {
      s3: (id: number) => checkpoint(s3, data, id),
      s3SinglePart: (id: number) => checkpoint(s3SinglePart, data, id),
      filesystem: (id: number) => checkpoint(filesystem, data, id),
      raw: () => rawPutObjects(client, data),
    };
    const seconds = { s3: [] as number[], s3SinglePart: [] as number[], filesystem: [] as number[], raw: [] as number[] };
    // Round 0 warms up connections, the JIT and the server; it is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [name, measure] of Object.entries(measurements) as Array<[keyof typeof measurements, (id: number) => Promise<number>]>) {
        const taken = await measure(round + 1);
        if (round > 0) seconds[name].push(taken);
      }
    }
    const rate = (name: keyof typeof seconds) => throughput(median(seconds[name]));
    const result = (name: string, value: number, baseline: number): BenchResult => ({ name, unit: 'MB/s', value, baseline, ratio: value / baseline });
    return [
      result('checkpoint 100 MB keyed state to S3 vs filesystem', rate('s3'), rate('filesystem')),
      result('checkpoint 100 MB keyed state to S3 vs raw PutObject', rate('s3'), rate('raw')),
      result('checkpoint 100 MB keyed state to S3, 32 MiB parts, vs raw PutObject', rate('s3SinglePart'), rate('raw')),
    ];
  } finally {
    client.destroy();
    await s3.close();
    await s3SinglePart.close();
    await filesystem.close();
    await server.stop();
    await rm(workspace, { recursive: true, force: true });
  }
}

// Runnable on its own: node --import tsx bench/checkpoint-storage.bench.ts [--json]
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const result of await run()) {
    console.log(process.argv.includes('--json') ? JSON.stringify(result) : `${result.name}: ${result.value.toFixed(1)} ${result.unit} (baseline ${result.baseline.toFixed(1)}, ratio ${result.ratio.toFixed(2)})`);
  }
}
