import type { SluiceConfig } from '../config/index.ts';
import type { S3ConnectionOptions } from './open-object-store.ts';

/** The S3 connection settings of a process configuration, for opening other URIs (savepoints, restoreFrom) in the same S3. */
export function configuredS3Options(config: SluiceConfig): S3ConnectionOptions {
  const storage = config.checkpointing.storage;
  if (!('s3' in storage)) return {};
  const { endpoint, region, forcePathStyle, credentialsDirectory } = storage.s3;
  return { endpoint, region, forcePathStyle, credentialsDirectory };
}
