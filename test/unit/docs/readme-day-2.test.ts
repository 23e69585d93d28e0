import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { validateStreamJob } from '../../../operator/api/stream-job-validation.ts';

const root = resolve(import.meta.dirname, '../../..');

describe('the README\'s day-2 StreamJob', () => {
  it('is valid under the CRD\'s schema and sets every day-2 field it names', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Day-2 operations'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const result = validateStreamJob(parse(yaml));
    expect(result.valid ? [] : result.errors).toEqual([]);
    if (!result.valid) return;
    const { job, checkpointing } = result.streamJob.spec;
    expect([job.upgradeMode, job.savepoints.interval, job.healthCheck.restarts.enabled, job.rollback.enabled, checkpointing.deletionPolicy]).toEqual([
      'savepoint',
      '1h',
      true,
      true,
      { checkpoints: 'Delete', savepoints: 'Retain' },
    ]);
  });
});
