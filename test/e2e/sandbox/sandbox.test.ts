import { describe, it, expect, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox.ts';
import { ensureKubeTools } from '../../../sandbox/tools/kube-tools.ts';
import { alive, nodePod, run } from './cluster-harness.ts';
import { waitFor } from '../../support/processes.ts';

describe('startSandbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-'));
  let sandbox: Sandbox | undefined;
  afterAll(async () => {
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves S3 to pods as http://minio.minio:9000 and to this machine at its endpoint; stop leaves no pod process', async () => {
    sandbox = await startSandbox({ dir });
    const s3 = sandbox.s3!;
    expect(s3.clusterEndpoint).toBe('http://minio.minio:9000');
    const { kubectl } = await ensureKubeTools();
    const kc = (args: string[], stdin?: string) => run(kubectl, ['--kubeconfig', sandbox!.kubeconfigPath, ...args], stdin);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'minio-creds' }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } };
    expect((await kc(['apply', '-f', '-'], JSON.stringify(secret))).code).toBe(0);
    const script = `
      (async () => {
        const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
        const client = new S3Client({ endpoint: 'http://minio.minio:9000', region: 'us-east-1', forcePathStyle: true });
        await client.send(new PutObjectCommand({ Bucket: 'checkpoints', Key: 'from-pod', Body: 'written by ' + process.env.HOSTNAME }));
        console.log('stored');
        setInterval(() => {}, 1000);
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const pod = nodePod('writer', script, { container: { envFrom: [{ secretRef: { name: 'minio-creds' } }] } });
    expect((await kc(['apply', '-f', '-'], JSON.stringify(pod))).code).toBe(0);
    // the AWS SDK may print a Node version warning on stderr first
    await waitFor('pod stored the object', async () => (`\n${(await kc(['logs', 'writer'])).stdout}`.endsWith('\nstored\n') ? true : undefined));

    const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    const object = await client.send(new GetObjectCommand({ Bucket: 'checkpoints', Key: 'from-pod' }));
    expect(await object.Body!.transformToString()).toBe('written by writer');
    client.destroy();

    const status = JSON.parse((await kc(['get', 'pod', 'writer', '-o', 'json'])).stdout).status;
    const pid = Number(status.containerStatuses[0].containerID.replace('process://', ''));
    expect(alive(pid)).toBe(true);
    await sandbox.stop();
    expect(alive(pid)).toBe(false);
    await expect(fetch(s3.endpoint)).rejects.toThrow();
  });
});
