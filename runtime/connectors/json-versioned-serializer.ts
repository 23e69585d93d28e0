import type { SimpleVersionedSerializer } from './simple-versioned-serializer.ts';

/**
 * A SimpleVersionedSerializer for plain data (objects, arrays, strings, finite numbers, booleans,
 * null) as UTF-8 JSON: what most splits and enumerator states are. It reads only its own version;
 * `check` validates what it reads, so a corrupt or foreign value fails with a clear error instead
 * of becoming a wrong split.
 */
export class JsonVersionedSerializer<T> implements SimpleVersionedSerializer<T> {
  constructor(
    /** Names the values in errors, e.g. "file source split". */
    private readonly what: string,
    private readonly check: (value: unknown) => T,
    readonly version = 1,
  ) {}

  serialize(value: T): Uint8Array {
    return Buffer.from(JSON.stringify(value), 'utf8');
  }

  deserialize(version: number, bytes: Uint8Array): T {
    if (version !== this.version) throw new Error(`cannot read a ${this.what} of serializer version ${version}; this one reads version ${this.version}`);
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (e) {
      throw new Error(`cannot read a ${this.what}: ${(e as Error).message}`);
    }
    return this.check(value);
  }
}
