import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from './storage-error.ts';

/**
 * Where S3 credentials come from: given explicitly, files of a mounted Kubernetes Secret, or the
 * standard AWS environment variables, in that order. A Secret mounted as a directory holds one
 * file per key; both naming conventions below are accepted, values are trimmed (kubectl
 * --from-file often keeps a trailing newline).
 */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Credentials looked up when the first request needs them (and again after a failed lookup), so a
 * process starts without them and its requests fail with the reason instead.
 */
export type S3CredentialsProvider = () => Promise<S3Credentials>;

/** Secret keys, by credential field: the camelCase name first, then the AWS variable name. */
export const CREDENTIAL_FILE_NAMES = {
  accessKeyId: ['accessKeyId', 'AWS_ACCESS_KEY_ID'],
  secretAccessKey: ['secretAccessKey', 'AWS_SECRET_ACCESS_KEY'],
  sessionToken: ['sessionToken', 'AWS_SESSION_TOKEN'],
} as const;

/** Environment variable naming a mounted Secret directory when no directory is configured. */
export const CREDENTIALS_DIRECTORY_ENV = 'SLUICE_S3_CREDENTIALS_DIR';

export interface CredentialSources {
  credentials?: S3Credentials;
  credentialsDirectory?: string;
  env?: NodeJS.ProcessEnv;
}

export async function resolveS3Credentials(sources: CredentialSources): Promise<S3Credentials> {
  if (sources.credentials) return sources.credentials;
  const env = sources.env ?? process.env;
  const directory = sources.credentialsDirectory ?? env[CREDENTIALS_DIRECTORY_ENV];
  if (directory) return readCredentialsDirectory(directory);
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    return env.AWS_SESSION_TOKEN ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN } : { accessKeyId, secretAccessKey };
  }
  throw new StorageError(
    'no-credentials',
    `No S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or mount a Secret with the keys accessKeyId and secretAccessKey and set ${CREDENTIALS_DIRECTORY_ENV} to its directory`,
  );
}

async function readCredentialsDirectory(directory: string): Promise<S3Credentials> {
  const accessKeyId = await readFirst(directory, CREDENTIAL_FILE_NAMES.accessKeyId);
  const secretAccessKey = await readFirst(directory, CREDENTIAL_FILE_NAMES.secretAccessKey);
  const missing = [
    accessKeyId === undefined ? CREDENTIAL_FILE_NAMES.accessKeyId : undefined,
    secretAccessKey === undefined ? CREDENTIAL_FILE_NAMES.secretAccessKey : undefined,
  ].filter((names) => names !== undefined);
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new StorageError(
      'no-credentials',
      `S3 credentials directory ${directory} lacks ${missing.map(([name, alias]) => `${name} (or ${alias})`).join(' and ')}`,
    );
  }
  const sessionToken = await readFirst(directory, CREDENTIAL_FILE_NAMES.sessionToken);
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

async function readFirst(directory: string, names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    try {
      const value = (await readFile(join(directory, name), 'utf8')).trim();
      if (value !== '') return value;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StorageError('no-credentials', `S3 credentials file ${join(directory, name)} cannot be read: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  return undefined;
}
