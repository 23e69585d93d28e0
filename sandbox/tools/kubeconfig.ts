import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** How a kubeconfig user authenticates: a client certificate (PEM) or a bearer token. */
export type KubeconfigCredentials = { clientCert: string; clientKey: string } | { token: string };

export interface KubeconfigOptions {
  server: string;
  credentials: KubeconfigCredentials;
  /** PEM of the CA that signed the server's certificate. */
  caCert: string;
  user?: string;
  cluster?: string;
  namespace?: string;
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** The kubeconfig document for an https server with its CA and one user, inlined as `*-data` fields. */
export function kubeconfig(o: KubeconfigOptions): string {
  const cluster = o.cluster ?? 'sandbox';
  const user = o.user ?? 'sandbox-admin';
  const credentials =
    'token' in o.credentials
      ? { token: o.credentials.token }
      : { 'client-certificate-data': base64(o.credentials.clientCert), 'client-key-data': base64(o.credentials.clientKey) };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: o.server, 'certificate-authority-data': base64(o.caCert) } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: cluster, context: { cluster, user, namespace: o.namespace ?? 'default' } }],
    'current-context': cluster,
    preferences: {},
  });
}

export async function writeKubeconfig(path: string, o: KubeconfigOptions): Promise<void> {
  await writeFile(path, kubeconfig(o), { mode: 0o600 });
}
