import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Defaulted, StringEnum } from './kubernetes-schema-types.ts';

export const DELETION_POLICIES = ['Delete', 'Retain'] as const;

/**
 * `spec.checkpointing.deletionPolicy`: what deleting the StreamJob does with what it left in storage,
 * named as Kubernetes names retention (a PersistentVolume's `Retain`/`Delete`).
 */
export const DeletionPolicySchema = Type.Object(
  {
    checkpoints: Defaulted(
      StringEnum(DELETION_POLICIES, {
        description:
          "Delete (default): the checkpoint folders of every run of this StreamJob are deleted with it. Checkpoints are the job's internal recovery state, bound to its runs: nothing but those runs restores from them.",
      }),
      'Delete',
    ),
    savepoints: Defaulted(
      StringEnum(DELETION_POLICIES, {
        description:
          "Retain (default): savepoints stay in storage. Savepoints are the user's portable backups, e.g. for initialSavepointPath of a new StreamJob. Delete: the savepoints listed in status.savepoints are deleted too (never initialSavepointPath).",
      }),
      'Retain',
    ),
  },
  {
    description:
      "What deleting the StreamJob does with its storage. A finalizer holds the deletion until a short-lived pod (the job's image, storage settings and credentials Secret) has deleted what the policy says; a pod that fails is retried (StorageCleanupFailed event); one that cannot start because the credentials Secret is gone is given up, the files left (StorageCleanupSkipped).",
  },
);

export type DeletionPolicy = Static<typeof DeletionPolicySchema>;
