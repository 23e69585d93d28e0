import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A certificate and its private key, as PEM files. */
export interface KeyPair {
  certPath: string;
  keyPath: string;
}

/**
 * The control plane's certificates, as kubeadm lays them out: one CA that signs every serving and
 * client certificate, and the service-account signing key pair.
 */
export interface Pki {
  dir: string;
  caCertPath: string;
  caKeyPath: string;
  /** kube-apiserver's serving certificate: 127.0.0.1, localhost and the `kubernetes` Service names. */
  apiServer: KeyPair;
  /** What kube-apiserver presents to kubelets (`kube-apiserver-kubelet-client`, group `system:masters`). */
  apiServerKubeletClient: KeyPair;
  /** `kubernetes-admin` in `system:masters`: the sandbox's kubectl and helm. */
  admin: KeyPair;
  controllerManager: KeyPair;
  scheduler: KeyPair;
  /** Service-account token signing key (private) and its public key, as PEM. */
  serviceAccountKeyPath: string;
  serviceAccountPublicKeyPath: string;
}

/** A client certificate's identity: the API server takes CN as the user name and each O as a group. */
export interface ClientIdentity {
  user: string;
  groups?: string[];
}

const run = promisify(execFile);

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    throw new Error(`openssl ${args[0]} failed (is the openssl CLI installed? apt-get install openssl): ${(err as Error).message}`);
  }
}

const subject = (id: ClientIdentity) => `/${(id.groups ?? []).map((g) => `O=${g}/`).join('')}CN=${id.user}`;

/**
 * Makes the control plane's PKI under `dir`, or reuses what an earlier start made there (a
 * restarted sandbox keeps its identities, as a cluster keeps its CA). Made with the openssl CLI:
 * Node can sign but cannot build X.509 certificates.
 */
export async function ensurePki(dir: string): Promise<Pki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caCertPath = join(dir, 'ca.crt');
  const caKeyPath = join(dir, 'ca.key');
  if (!existsSync(caCertPath)) {
    await openssl([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', caKeyPath, '-out', caCertPath, '-days', '3650', '-subj', '/CN=sluice-sandbox-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature,keyCertSign,cRLSign',
    ]);
  }
  const ca = { caCertPath, caKeyPath };
  const serviceAccountKeyPath = join(dir, 'sa.key');
  const serviceAccountPublicKeyPath = join(dir, 'sa.pub');
  if (!existsSync(serviceAccountPublicKeyPath)) {
    await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', serviceAccountKeyPath]);
    await openssl(['pkey', '-in', serviceAccountKeyPath, '-pubout', '-out', serviceAccountPublicKeyPath]);
  }
  const apiServerNames = ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local'];
  return {
    dir,
    ...ca,
    apiServer: await ensureCertificate(ca, dir, 'apiserver', { user: 'kube-apiserver' }, { serverNames: apiServerNames }),
    apiServerKubeletClient: await ensureCertificate(ca, dir, 'apiserver-kubelet-client', { user: 'kube-apiserver-kubelet-client', groups: ['system:masters'] }),
    admin: await ensureCertificate(ca, dir, 'admin', { user: 'kubernetes-admin', groups: ['system:masters'] }),
    controllerManager: await ensureCertificate(ca, dir, 'controller-manager', { user: 'system:kube-controller-manager' }),
    scheduler: await ensureCertificate(ca, dir, 'scheduler', { user: 'system:kube-scheduler' }),
    serviceAccountKeyPath,
    serviceAccountPublicKeyPath,
  };
}

/**
 * A certificate signed by the CA, for a client identity and, with `serverNames` (`IP:…`/`DNS:…`),
 * for serving too. Reuses `<name>.crt`/`<name>.key` when they exist.
 */
export async function ensureCertificate(
  ca: { caCertPath: string; caKeyPath: string },
  dir: string,
  name: string,
  identity: ClientIdentity,
  options: { serverNames?: string[] } = {},
): Promise<KeyPair> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  if (existsSync(certPath) && existsSync(keyPath)) return { certPath, keyPath };
  const csrPath = join(dir, `${name}.csr`);
  const extPath = join(dir, `${name}.ext`);
  const serving = options.serverNames !== undefined;
  writeFileSync(
    extPath,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${serving ? 'serverAuth,clientAuth' : 'clientAuth'}`,
      ...(serving ? [`subjectAltName=${options.serverNames!.join(',')}`] : []),
    ].join('\n'),
  );
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', csrPath, '-subj', subject(identity)]);
  await openssl(['x509', '-req', '-in', csrPath, '-CA', ca.caCertPath, '-CAkey', ca.caKeyPath, '-CAcreateserial', '-days', '3650', '-out', certPath, '-extfile', extPath]);
  return { certPath, keyPath };
}

/** Reads a key pair's PEM texts (for Node's TLS options and kubeconfig data fields). */
export function readKeyPair(pair: KeyPair): { cert: string; key: string } {
  return { cert: readFileSync(pair.certPath, 'utf8'), key: readFileSync(pair.keyPath, 'utf8') };
}
