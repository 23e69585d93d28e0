import { BinaryBuildError, ensureBinaries } from '../../sandbox/binaries/binaries.ts';

/**
 * The integration files run MinIO (sandbox/s3): build it from source before the first file starts,
 * so that a first build (minutes) happens once, with progress lines, and never inside a test's
 * time limit. Jest runs a project's global setup only when at least one of its files runs.
 */
export default async function globalSetup(): Promise<void> {
  try {
    await ensureBinaries(['minio']);
  } catch (err) {
    // One line saying what is missing and what to run, not a stack trace.
    if (err instanceof BinaryBuildError) throw Object.assign(new Error(err.message), { stack: err.message });
    throw err;
  }
}
