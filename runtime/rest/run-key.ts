import { createHmac } from 'node:crypto';

/**
 * The per-run key: 256 random bits shared by a run's JobManager and TaskManagers (and the operator,
 * which derives it rather than reading it back). Everything that authenticates a peer of the run is
 * derived from it; the key itself never crosses the wire.
 *
 * Contract shared by the runtime and the operator (this is the only file of the runtime besides
 * `rest-types.ts` the operator imports):
 * - the key file named by the runtime configuration key `security.runKeyFile` holds
 *   {@link encodeRunKey}`(key)`;
 * - the REST API takes `Authorization: Bearer <`{@link restToken}`(key)>`;
 * - the operator derives each run's key with {@link deriveRunKey} from a key of its own.
 */
export const RUN_KEY_BYTES = 32;

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** HMAC-SHA256(key = operatorKey, message = `"sluice/run-key/" + runUid`): a run's key, derived. */
export function deriveRunKey(operatorKey: Buffer, runUid: string): Buffer {
  return createHmac('sha256', operatorKey).update(`sluice/run-key/${runUid}`).digest();
}

/** base64url of HMAC-SHA256(key = runKey, message = `"sluice/rest"`): the REST bearer token. */
export function restToken(runKey: Buffer): string {
  return createHmac('sha256', runKey).update('sluice/rest').digest('base64url');
}

/** The key as 64 lowercase hex characters: the content of a key file. */
export function encodeRunKey(key: Buffer): string {
  if (key.length !== RUN_KEY_BYTES) {
    throw new Error(`a run key is ${RUN_KEY_BYTES} bytes, got ${key.length}`);
  }
  return key.toString('hex');
}

/**
 * Parses a key file's content: 64 hex characters, surrounding whitespace allowed. Throws an Error
 * saying what is wrong without echoing the text (it may be a secret, or a near miss of one).
 */
export function parseRunKey(text: string): Buffer {
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    throw new Error('run key is empty');
  }
  if (trimmed.length !== RUN_KEY_BYTES * 2) {
    throw new Error(
      `run key must be ${RUN_KEY_BYTES * 2} hex characters, got ${trimmed.length} characters`,
    );
  }
  if (!HEX_KEY.test(trimmed)) {
    throw new Error('run key has characters that are not hexadecimal digits');
  }
  return Buffer.from(trimmed, 'hex');
}
