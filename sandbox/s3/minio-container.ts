// How MinIO is run: the command line and environment, shared by the test server (server.ts) and
// the sandbox's MinIO pod. MinIO is AGPL-3.0: it runs only as a separate program, never linked in.
import { join } from 'node:path';

/** The port MinIO listens on in the sandbox's pod (its Service is `minio.minio:9000`). */
export const MINIO_POD_PORT = 9000;

/** The environment variable names of the root credentials, as MinIO reads them. */
export const MINIO_ROOT_USER = 'MINIO_ROOT_USER';
export const MINIO_ROOT_PASSWORD = 'MINIO_ROOT_PASSWORD';

/**
 * Settings that keep MinIO on this machine and quiet: no update check (`MINIO_UPDATE=off`), no web
 * console (`MINIO_BROWSER=off`, so it serves no second port), no call-home, no anonymous usage
 * reports. MinIO then connects to nothing: a single-drive server has no peers.
 */
export const MINIO_OFFLINE_ENV: Readonly<Record<string, string>> = {
  MINIO_UPDATE: 'off',
  MINIO_BROWSER: 'off',
  MINIO_CALLHOME_ENABLE: 'off',
};

/**
 * `minio server` arguments for one server whose files live under `directory`: the objects in
 * `directory/data` (reusing it keeps them), TLS certificates looked up in the empty
 * `directory/certs` (so a `~/.minio/certs` of the user never turns on TLS).
 */
export function minioServerArgs(address: string, directory: string): string[] {
  return ['server', '--address', address, '--certs-dir', join(directory, 'certs'), join(directory, 'data')];
}

/** A container's `env` entry: a literal, a Secret key or a field of the pod (the downward API). */
export type ContainerEnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }
  | { name: string; valueFrom: { fieldRef: { fieldPath: string } } };

export interface MinioContainerOptions {
  /** Absolute path of the MinIO binary (`ensureBinaries(['minio']).minio`). */
  binary: string;
  /** Directory for objects (`directory/data`) and certificates (`directory/certs`); kept across restarts. */
  directory: string;
  /**
   * Root credentials: literal, or the keys `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` of a
   * Secret in the pod's namespace (the same keys as a StreamJob's `credentialsSecret`).
   */
  credentials: { accessKeyId: string; secretAccessKey: string } | { secretName: string };
  /** Default 9000. */
  port?: number;
}

export interface MinioContainer {
  name: 'minio';
  command: string[];
  args: string[];
  env: ContainerEnvVar[];
  ports: { name: 's3'; containerPort: number }[];
  readinessProbe: { httpGet: { path: string; port: number } };
  livenessProbe: { httpGet: { path: string; port: number } };
}

/**
 * The container of the sandbox's MinIO pod: put it in a Pod spec's `containers`. MinIO listens on
 * the pod's own loopback address (`$(POD_IP)`, from `status.podIP`), never on all interfaces, so
 * pods reach it through the Service (`http://minio.minio:9000`). Buckets are not part of the pod:
 * create them through the S3 API once it is ready ({@link createBuckets} in server.ts).
 */
export function minioContainer(options: MinioContainerOptions): MinioContainer {
  const port = options.port ?? MINIO_POD_PORT;
  const credentials: ContainerEnvVar[] =
    'secretName' in options.credentials
      ? [
          { name: MINIO_ROOT_USER, valueFrom: { secretKeyRef: { name: options.credentials.secretName, key: 'AWS_ACCESS_KEY_ID' } } },
          { name: MINIO_ROOT_PASSWORD, valueFrom: { secretKeyRef: { name: options.credentials.secretName, key: 'AWS_SECRET_ACCESS_KEY' } } },
        ]
      : [
          { name: MINIO_ROOT_USER, value: options.credentials.accessKeyId },
          { name: MINIO_ROOT_PASSWORD, value: options.credentials.secretAccessKey },
        ];
  return {
    name: 'minio',
    command: [options.binary],
    args: minioServerArgs(`$(POD_IP):${port}`, options.directory),
    env: [
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOME', value: options.directory },
      ...credentials,
      ...Object.entries(MINIO_OFFLINE_ENV).map(([name, value]) => ({ name, value })),
    ],
    ports: [{ name: 's3', containerPort: port }],
    readinessProbe: { httpGet: { path: '/minio/health/ready', port } },
    livenessProbe: { httpGet: { path: '/minio/health/live', port } },
  };
}
