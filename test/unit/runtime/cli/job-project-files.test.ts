import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { kubernetesAjv } from '../../../../operator/api/kubernetes-ajv.ts';
import { jobProjectFiles } from '../../../../runtime/cli/job-project-files.ts';

const root = resolve(import.meta.dirname, '../../../..');
const files = jobProjectFiles({ name: 'clicks', sluiceVersion: '0.1.0' });

describe('jobProjectFiles', () => {
  it('writes an ES-module project that depends on this version of sluice and tests with vitest', () => {
    expect([...files.keys()]).toEqual(['package.json', 'tsconfig.json', '.gitignore', '.dockerignore', 'src/job.ts', 'src/job.test.ts', 'Dockerfile', 'streamjob.yaml', 'README.md']);
    const manifest = JSON.parse(files.get('package.json')!) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: 'clicks', type: 'module', private: true, dependencies: { sluice: '^0.1.0' }, scripts: { test: 'vitest run', start: 'sluice run src/job.ts' } });
    expect(JSON.parse(jobProjectFiles({ name: 'x', sluiceVersion: '0.1.0', sluiceDependency: 'file:../sluice-0.1.0.tgz' }).get('package.json')!).dependencies).toEqual({
      sluice: 'file:../sluice-0.1.0.tgz',
    });
    expect(files.get('src/job.ts')).toContain("from 'sluice';");
    expect(files.get('src/job.test.ts')).toContain("from 'sluice/testing';");
  });

  it('builds the job image on the runtime image of the same version, with the job where the StreamJob names it', () => {
    expect(files.get('Dockerfile')).toContain('\nFROM ghcr.io/sluice-dev/sluice-runtime:0.1.0\nCOPY src/ /opt/sluice/jobs/clicks/\n');
    const job = parse(files.get('streamjob.yaml')!) as { spec: { image: string; job: { entry: string } } };
    expect(job.spec.image).toBe('registry.example.com/clicks:0.1.0');
    expect(job.spec.job.entry).toBe('jobs/clicks/job.ts');
  });

  it("writes a StreamJob that the CRD's schema accepts", () => {
    const crd = parse(readFileSync(resolve(root, 'crds/streamjobs.sluice.dev.yaml'), 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: object } }[] } };
    const validate = kubernetesAjv().compile(crd.spec.versions[0]!.schema.openAPIV3Schema);
    const streamJob = parse(files.get('streamjob.yaml')!) as Record<string, unknown>;
    expect([validate(streamJob), validate.errors ?? []]).toEqual([true, []]);
    // The check can fail: the same StreamJob without its checkpoint storage is refused.
    const spec = streamJob['spec'] as { checkpointing: Record<string, unknown> };
    expect(validate({ ...streamJob, spec: { ...spec, checkpointing: { interval: '10s' } } })).toBe(false);
  });
});
