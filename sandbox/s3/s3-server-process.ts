// The S3 server's own process: s3rver behind a Signature V4 check, listening on loopback.
// It runs apart from its starter because s3rver encrypts ListObjectsV2 continuation tokens with DES,
// which Node 20's OpenSSL 3 only offers with --openssl-legacy-provider, a process-wide flag.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { DUMMY_ACCOUNT } from 's3rver/lib/models/account.js';
import { verifySignatureV4 } from './sigv4-verifier.ts';
import type { S3ServerProcessConfig, S3ServerProcessMessage } from './s3-server-protocol.ts';

const config = JSON.parse(process.argv[2] ?? '') as S3ServerProcessConfig;

// Only the configured key pair may sign; s3rver's built-in S3RVER key stays valid only if it is the configured one.
DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
DUMMY_ACCOUNT.createKeyPair(config.accessKeyId, config.secretAccessKey);

const s3rver = new S3rver({
  directory: config.directory,
  silent: true,
  vhostBuckets: false,
  configureBuckets: config.buckets.map((name) => ({ name })),
});
await s3rver.configureBuckets();
const handle = s3rver.callback();

const server = createServer((req, res) => {
  const verdict = verifySignatureV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, (id) =>
    id === config.accessKeyId ? config.secretAccessKey : undefined,
  );
  if (verdict.ok) {
    handle(req, res);
    return;
  }
  // Drain the request body so the client sees the error instead of a reset connection.
  req.resume();
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${verdict.code}</Code><Message>${verdict.message}</Message></Error>`;
  res.writeHead(verdict.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
});

server.listen(config.port, config.host, () => {
  const ready: S3ServerProcessMessage = { type: 'ready', port: (server.address() as AddressInfo).port };
  process.send?.(ready);
});
server.on('error', (error) => {
  process.stderr.write(`S3 server could not listen on ${config.host}:${config.port}: ${error.message}\n`);
  process.exit(1);
});

const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', shutdown);
// The starter owns this process: when it goes away (even killed), so does the server.
process.on('disconnect', shutdown);
