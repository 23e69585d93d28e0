import { describe, it, expect } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateStreamJob } from '../../../operator/api/stream-job-validation.ts';

const examples = resolve(import.meta.dirname, '../../../examples');
const manifestFiles = readdirSync(examples).filter((f) => f.endsWith('.yaml'));

function documents(file: string): Array<Record<string, any>> {
  return parseAllDocuments(readFileSync(resolve(examples, file), 'utf8')).map((d) => d.toJS());
}

describe('example manifests', () => {
  it('include wordcount.yaml', () => {
    expect(manifestFiles).toContain('wordcount.yaml');
  });

  it.each(manifestFiles)('%s: every StreamJob passes the schema and its job module exists; credentials are not in the manifest', (file) => {
    const docs = documents(file);
    const streamJobs = docs.filter((d) => d['kind'] === 'StreamJob');
    expect(streamJobs.length).toBeGreaterThan(0);
    // keys come from a Secret the user creates (`kubectl create secret generic ...`), never from a file in git
    expect(docs.filter((d) => d['kind'] === 'Secret')).toEqual([]);
    for (const manifest of streamJobs) {
      const result = validateStreamJob(manifest);
      expect(result.valid ? [] : result.errors).toEqual([]);
      // The runtime image holds examples/ under its working directory, as the repository does for the sandbox.
      expect([manifest['spec']['job']['entry'], existsSync(resolve(examples, '..', manifest['spec']['job']['entry']))]).toEqual([manifest['spec']['job']['entry'], true]);
    }
  });

  it('wordcount.yaml runs examples/wordcount.ts with S3 checkpoints at the sandbox MinIO, keys from the Secret minio-creds', () => {
    const docs = documents('wordcount.yaml');
    const job = docs.find((d) => d['kind'] === 'StreamJob')!;
    expect(job['spec']['job']['entry']).toBe('examples/wordcount.ts');
    expect(job['spec']['checkpointing']['storage']).toEqual({
      s3: { endpoint: 'http://minio.minio:9000', bucket: 'checkpoints', prefix: 'sluice', region: 'us-east-1', forcePathStyle: true, credentialsSecret: 'minio-creds' },
    });
  });
});
