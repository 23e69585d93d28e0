/**
 * Reads streamed state for a storage write: counts the bytes, and remembers a failure of the
 * producer, so that the write reports the producer's own error rather than a storage error.
 */
export class StateBytesSource {
  size = 0;
  failed = false;
  failure: unknown;

  constructor(private readonly data: AsyncIterable<Uint8Array>) {}

  async *chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of this.data) {
        this.size += chunk.byteLength;
        yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
    } catch (error) {
      this.failed = true;
      this.failure = error;
      throw error;
    }
  }
}
