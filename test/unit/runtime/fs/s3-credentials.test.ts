import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveS3Credentials } from '../../../../runtime/fs/s3-credentials.ts';

const directories: string[] = [];

afterEach(async () => {
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function secret(files: Record<string, string>): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'sluice-secret-'));
  directories.push(directory);
  for (const [name, value] of Object.entries(files)) await writeFile(join(directory, name), value);
  return directory;
}

const env = { AWS_ACCESS_KEY_ID: 'env-key', AWS_SECRET_ACCESS_KEY: 'env-secret' };

describe('resolveS3Credentials', () => {
  it('prefers explicit credentials, then a Secret directory, then the environment', async () => {
    const directory = await secret({ accessKeyId: 'dir-key', secretAccessKey: 'dir-secret' });
    expect(await resolveS3Credentials({ credentials: { accessKeyId: 'k', secretAccessKey: 's' }, credentialsDirectory: directory, env })).toEqual({ accessKeyId: 'k', secretAccessKey: 's' });
    expect(await resolveS3Credentials({ credentialsDirectory: directory, env })).toEqual({ accessKeyId: 'dir-key', secretAccessKey: 'dir-secret' });
    expect(await resolveS3Credentials({ env })).toEqual({ accessKeyId: 'env-key', secretAccessKey: 'env-secret' });
    expect(await resolveS3Credentials({ env: { ...env, AWS_SESSION_TOKEN: 'token' } })).toEqual({ accessKeyId: 'env-key', secretAccessKey: 'env-secret', sessionToken: 'token' });
  });

  it('reads a session token from the directory and prefers camelCase keys over AWS names', async () => {
    const directory = await secret({ accessKeyId: 'camel', AWS_ACCESS_KEY_ID: 'upper', AWS_SECRET_ACCESS_KEY: ' s \n', sessionToken: 't\n' });
    expect(await resolveS3Credentials({ credentialsDirectory: directory, env: {} })).toEqual({ accessKeyId: 'camel', secretAccessKey: 's', sessionToken: 't' });
  });

  it('names every missing key', async () => {
    const directory = await secret({ unrelated: 'x' });
    await expect(resolveS3Credentials({ credentialsDirectory: directory })).rejects.toThrow(
      `S3 credentials directory ${directory} lacks accessKeyId (or AWS_ACCESS_KEY_ID) and secretAccessKey (or AWS_SECRET_ACCESS_KEY)`,
    );
  });
});
