import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface ServingCertificate {
  cert: string;
  key: string;
  certPath: string;
}

/**
 * A self-signed serving certificate (it is its own CA) for the API server's TLS endpoint.
 * TLS is not optional: kubectl, helm and client-go send bearer tokens only over https.
 * Made with the openssl CLI, because Node can sign but cannot build X.509 certificates.
 */
export async function createServingCertificate(dir: string, host: string): Promise<ServingCertificate> {
  const certPath = join(dir, 'apiserver.crt');
  const keyPath = join(dir, 'apiserver.key');
  const names = new Set(['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local']);
  names.add(isIP(host) ? `IP:${host}` : `DNS:${host}`);
  try {
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '3650', '-subj', '/CN=sandbox-apiserver',
      '-addext', `subjectAltName=${[...names].join(',')}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
      '-addext', 'extendedKeyUsage=serverAuth',
    ]);
  } catch (err) {
    throw new Error(`cannot create the API server's TLS certificate with openssl (is the openssl CLI installed?): ${(err as Error).message}`);
  }
  return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8'), certPath };
}
