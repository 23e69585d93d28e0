import { describe, it, expect } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateStreamJob } from '../../../operator/api/stream-job-validation.ts';
import { S3_CREDENTIAL_KEYS } from '../../../operator/api/stream-job-spec.ts';

const examples = resolve(import.meta.dirname, '../../../examples');
const manifestFiles = readdirSync(examples).filter((f) => f.endsWith('.yaml'));

function documents(file: string): Array<Record<string, any>> {
  return parseAllDocuments(readFileSync(resolve(examples, file), 'utf8')).map((d) => d.toJS());
}

describe('example manifests', () => {
  it('include wordcount.yaml', () => {
    expect(manifestFiles).toContain('wordcount.yaml');
  });

  it.each(manifestFiles)('%s: every StreamJob passes the schema, its job module exists, and its credentials Secret is there with the right keys', (file) => {
    const docs = documents(file);
    const streamJobs = docs.filter((d) => d['kind'] === 'StreamJob');
    expect(streamJobs.length).toBeGreaterThan(0);
    for (const manifest of streamJobs) {
      const result = validateStreamJob(manifest);
      expect(result.valid ? [] : result.errors).toEqual([]);
      // The runtime image holds examples/ under its working directory, as the repository does for the sandbox.
      expect([manifest['spec']['job']['entry'], existsSync(resolve(examples, '..', manifest['spec']['job']['entry']))]).toEqual([manifest['spec']['job']['entry'], true]);
      const secretName = manifest['spec']['checkpointing']['storage']['s3']?.['credentialsSecret'];
      if (secretName === undefined) continue;
      const secret = docs.find((d) => d['kind'] === 'Secret' && d['metadata']['name'] === secretName);
      expect(Object.keys(secret?.['stringData'] ?? secret?.['data'] ?? {}).sort()).toEqual([...S3_CREDENTIAL_KEYS].sort());
    }
  });

  it('wordcount.yaml runs examples/wordcount.ts with S3 checkpoints at the sandbox S3 server and its keys', () => {
    const docs = documents('wordcount.yaml');
    const job = docs.find((d) => d['kind'] === 'StreamJob')!;
    expect(job['spec']['job']['entry']).toBe('examples/wordcount.ts');
    expect(job['spec']['checkpointing']['storage']).toEqual({
      s3: { endpoint: 'http://minio.minio:9000', bucket: 'checkpoints', prefix: 'sluice', region: 'us-east-1', forcePathStyle: true, credentialsSecret: 'minio-creds' },
    });
    // The defaults of sandbox/s3/server.ts.
    expect(docs.find((d) => d['kind'] === 'Secret')!['stringData']).toEqual({ AWS_ACCESS_KEY_ID: 'sluice', AWS_SECRET_ACCESS_KEY: 'sluice-secret' });
  });
});
