import type { TaskCheckpointHooks } from '../cluster/task-executor.ts';
import type { SluiceConfig } from '../config/index.ts';
import type { OperatorStateRestore } from '../state/state-snapshot.ts';
import { CheckpointStorageLocation } from './checkpoint-location.ts';
import type { ObjectStore } from '../fs/object-store.ts';
import { configuredS3Options } from '../fs/configured-s3-options.ts';
import { checkpointingEnabled, type RestoreInstruction } from './job-checkpointing.ts';
import { parseMetadata } from './metadata.ts';
import { openObjectStore, openConfiguredStorage } from '../fs/open-object-store.ts';
import { readSubtaskRestore, type RestorePoint } from './restore.ts';
import { checkpointDirectory, METADATA_FILE } from './storage-layout.ts';
import { uploadSubtaskSnapshot } from './subtask-checkpoint-uploader.ts';

/**
 * The TaskManager side of checkpointing behind the TaskExecutor's seam: a subtask's snapshot is
 * uploaded into the run's chk-<n> and the ack carries the handles; on deployment, each subtask
 * reads its share of the checkpoint the JobManager named (key-group range, list-state plan).
 */
export function createTaskCheckpointHooks(config: SluiceConfig, storage: ObjectStore): TaskCheckpointHooks {
  const scope = { namespace: config.job.namespace, jobName: config.job.name };
  // Subtasks of one deployment restore from the same checkpoint: its metadata is read once, and the
  // storage opened for it is released when a later deployment names another checkpoint.
  let opened: { uri: string; point: Promise<RestorePoint> } | undefined;
  return {
    acknowledge(ack, signal) {
      const location = new CheckpointStorageLocation(storage, checkpointDirectory(scope, config.job.id, ack.checkpointId), 'checkpoint', ack.checkpointId);
      return uploadSubtaskSnapshot(location, ack, { signal });
    },
    async restore(d, restore) {
      if (restore === undefined || restore === null) return undefined;
      const instruction = restore as Partial<RestoreInstruction>;
      if (typeof instruction.checkpoint !== 'string' || !Array.isArray(instruction.operatorIds)) {
        throw new Error(`invalid restore instruction ${JSON.stringify(restore)}: expected { checkpoint: <uri>, operatorIds: [...] }`);
      }
      if (opened?.uri !== instruction.checkpoint) {
        opened?.point.then((old) => old.close()).catch(() => undefined);
        const point = openRestorePoint(instruction.checkpoint, config);
        const entry = { uri: instruction.checkpoint, point };
        opened = entry;
        point.catch(() => {
          if (opened === entry) opened = undefined;
        });
      }
      const p = await opened.point;
      const states = new Map<string, OperatorStateRestore | undefined>();
      await Promise.all(
        instruction.operatorIds.map(async (operatorId) => states.set(operatorId, await readSubtaskRestore(p, operatorId, d.maxParallelism, d.parallelism, d.subtaskIndex))),
      );
      return (operatorId: string) => states.get(operatorId);
    },
  };
}

async function openRestorePoint(uri: string, config: SluiceConfig): Promise<RestorePoint> {
  const storage = await openObjectStore(uri, configuredS3Options(config));
  const metadata = parseMetadata(await storage.read(METADATA_FILE));
  return {
    storage,
    checkpoint: { checkpointId: metadata.checkpointId, uri: storage.uri, directory: '', metadata },
    origin: 'restore-from',
    close: () => storage.close(),
  };
}

/** The TaskManager's checkpoint hooks from its configuration (the JobManager's condition, same config); undefined: none. */
export async function openTaskCheckpointHooks(config: SluiceConfig): Promise<TaskCheckpointHooks | undefined> {
  if (!checkpointingEnabled(config)) return undefined;
  return createTaskCheckpointHooks(config, await openConfiguredStorage(config.checkpointing.storage));
}
