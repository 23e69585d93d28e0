// Time to checkpoint 100 MB of keyed state (128 key groups over 4 subtasks, uploaded concurrently as
// the subtasks would) to the sandbox S3 server, against baselines measured in the same run: the same
// bytes through the filesystem storage, and the same files as raw single PutObject requests.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startS3Server } from '../sandbox/s3/server.ts';
import type { BenchResult } from './bench-result.ts';
import type { CheckpointStorage } from '../runtime/checkpoint/checkpoint-storage.ts';
import { CompletedCheckpointStore } from '../runtime/checkpoint/completed-checkpoint-store.ts';
import { openCheckpointStorage } from '../runtime/checkpoint/open-checkpoint-storage.ts';
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
async function checkpoint(storage: CheckpointStorage, data: Buffer, checkpointId: number): Promise<number> {
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

async function rawPutObjects(client: S3Client, data: Buffer, round: number): Promise<number> {
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: PARALLELISM }, (_, subtask) =>
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `raw/${round}/${subtask}`, Body: data.subarray(subtask * bytesPerSubtask, (subtask + 1) * bytesPerSubtask) })),
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
  const credentials = { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
  const s3 = await openCheckpointStorage(`s3://${BUCKET}/sluice`, { endpoint: server.endpoint, credentials });
  const filesystem = await openCheckpointStorage(join(workspace, 'fs'));
  const client = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  try {
    const data = stateBytes();
    const s3Seconds: number[] = [];
    const fsSeconds: number[] = [];
    const rawSeconds: number[] = [];
    // Round 0 warms up connections, the JIT and the server; it is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      const s = await checkpoint(s3, data, round + 1);
      const f = await checkpoint(filesystem, data, round + 1);
      const r = await rawPutObjects(client, data, round);
      if (round > 0) {
        s3Seconds.push(s);
        fsSeconds.push(f);
        rawSeconds.push(r);
      }
    }
    const s3Rate = throughput(median(s3Seconds));
    const fsRate = throughput(median(fsSeconds));
    const rawRate = throughput(median(rawSeconds));
    return [
      { name: 'checkpoint 100 MB keyed state to S3 vs filesystem', unit: 'MB/s', value: s3Rate, baseline: fsRate, ratio: s3Rate / fsRate },
      { name: 'checkpoint 100 MB keyed state to S3 vs raw PutObject', unit: 'MB/s', value: s3Rate, baseline: rawRate, ratio: s3Rate / rawRate },
    ];
  } finally {
    client.destroy();
    await s3.close();
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
