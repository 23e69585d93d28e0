import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { useCluster, type E2eCluster } from '../support/cluster.ts';
import { apply, finished, nodePod, podWhere } from '../kubelet/pods.ts';

const NS = 'e2e-sandbox-s3';

describe('the sandbox: MinIO for pods and for this machine', () => {
  let cluster: E2eCluster;
  beforeAll(async () => {
    cluster = await useCluster(NS);
  });
  afterAll(() => cluster?.release());

  it('serves S3 to pods as http://minio.minio:9000 and to this machine at its endpoint, the same objects', async () => {
    const s3 = cluster.s3;
    expect(s3.clusterEndpoint).toBe('http://minio.minio:9000');
    await apply(cluster, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'minio-creds' }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } });
    const key = `from-pod-${process.pid}`;
    const script = `
      (async () => {
        const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
        const client = new S3Client({ endpoint: 'http://minio.minio:9000', region: 'us-east-1', forcePathStyle: true });
        await client.send(new PutObjectCommand({ Bucket: 'checkpoints', Key: '${key}', Body: 'written by ' + process.env.HOSTNAME }));
        console.log('stored');
      })().catch((e) => { console.error(e); process.exit(1); });`;
    await apply(cluster, nodePod('writer', script, { spec: { restartPolicy: 'Never' }, container: { envFrom: [{ secretRef: { name: 'minio-creds' } }] } }));
    const done = await podWhere(cluster, 'writer', 'finished', finished);
    const logs = await cluster.kubectlOk(['logs', 'writer']);
    // the AWS SDK may print a Node version warning on stderr first
    expect({ phase: done.status!.phase, stored: `\n${logs}`.endsWith('\nstored\n') }).toEqual({ phase: 'Succeeded', stored: true });

    const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: 'checkpoints', Key: key }));
      expect(await object.Body!.transformToString()).toBe('written by writer');
    } finally {
      client.destroy();
    }
  });
});
