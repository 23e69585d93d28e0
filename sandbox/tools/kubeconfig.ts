import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  token: string;
  /** PEM of the CA that signed the server's certificate. */
  caCert: string;
  user?: string;
  cluster?: string;
  namespace?: string;
}

/** The kubeconfig document for an https server with its CA and bearer-token authentication. */
export function kubeconfig(o: KubeconfigOptions): string {
  const cluster = o.cluster ?? 'sandbox';
  const user = o.user ?? 'sandbox-admin';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: o.server, 'certificate-authority-data': Buffer.from(o.caCert).toString('base64') } }],
    users: [{ name: user, user: { token: o.token } }],
    contexts: [{ name: cluster, context: { cluster, user, namespace: o.namespace ?? 'default' } }],
    'current-context': cluster,
    preferences: {},
  });
}

export async function writeKubeconfig(path: string, o: KubeconfigOptions): Promise<void> {
  await writeFile(path, kubeconfig(o), { mode: 0o600 });
}
