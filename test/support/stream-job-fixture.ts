// The example StreamJob (examples/wordcount.yaml) as the API server returns it: defaulted, with the
// metadata the server sets.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateStreamJob } from '../../operator/api/stream-job-validation.ts';
import type { StreamJob } from '../../operator/api/stream-job.ts';

const root = resolve(import.meta.dirname, '../..');

export function exampleStreamJob(change: (job: StreamJob) => void = () => {}): StreamJob {
  const manifest = parseAllDocuments(readFileSync(join(root, 'examples/wordcount.yaml'), 'utf8'))
    .map((d) => d.toJS())
    .find((d) => d.kind === 'StreamJob');
  const result = validateStreamJob(manifest);
  if (!result.valid) throw new Error(`examples/wordcount.yaml is invalid: ${JSON.stringify(result.errors)}`);
  const job: StreamJob = {
    ...result.streamJob,
    metadata: { ...result.streamJob.metadata, namespace: 'streaming', uid: '6f1c0000-0000-4000-8000-000000000001', generation: 1, resourceVersion: '7' },
  };
  change(job);
  return job;
}
