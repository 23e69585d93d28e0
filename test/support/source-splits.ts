import { deserializeVersioned, type SimpleVersionedSerializer, type VersionedBytes } from '../../runtime/connectors/simple-versioned-serializer.ts';
import type { SourceSplit } from '../../runtime/connectors/source.ts';
import { decodeEntry, type OperatorListBlob } from '../../runtime/state/state-snapshot.ts';

/** The splits a source subtask's snapshot holds (its `splits` list state), with their positions. */
export function sourceSplits<S extends SourceSplit>(snapshot: { readonly operatorState: ReadonlyArray<OperatorListBlob> }, serializer: SimpleVersionedSerializer<S>): S[] {
  const entries = snapshot.operatorState.find((l) => l.name === 'splits')?.entries ?? [];
  return entries.map((e) => deserializeVersioned(serializer, decodeEntry(e) as VersionedBytes));
}
