/**
 * Turns splits and enumerator checkpoints into bytes and back (Flink's SimpleVersionedSerializer).
 * The bytes travel between the JobManager and the TaskManagers and live in checkpoints, so they
 * must outlive the code that wrote them: `version` is stored beside every serialized value, and
 * `deserialize` is called with the version the value was written with. A serializer must read
 * every version it ever wrote, or throw an error naming the version it cannot read.
 */
export interface SimpleVersionedSerializer<T> {
  readonly version: number;
  serialize(value: T): Uint8Array;
  deserialize(version: number, bytes: Uint8Array): T;
}

/** A serialized value with the version of the serializer that wrote it. */
export interface VersionedBytes {
  readonly version: number;
  readonly bytes: Uint8Array;
}

export function serializeVersioned<T>(serializer: SimpleVersionedSerializer<T>, value: T): VersionedBytes {
  return { version: serializer.version, bytes: serializer.serialize(value) };
}

export function deserializeVersioned<T>(serializer: SimpleVersionedSerializer<T>, value: VersionedBytes): T {
  return serializer.deserialize(value.version, value.bytes);
}
