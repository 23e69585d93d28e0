import { describe, expect, it } from '@jest/globals';
import { pack, unpack } from 'msgpackr';
import { checkRpcMessage } from '../../../../runtime/rpc/rpc-messages.ts';

const fenced = { sessionId: 's-1', attempt: 2, vertexId: 'v-1', subtaskIndex: 0 };
const bytes = { version: 1, bytes: new Uint8Array([123, 125]) };

/** A message as it arrives: through msgpack, as the RPC connection frames it. */
const received = (m: unknown) => unpack(pack(m)) as unknown;

describe('source event messages', () => {
  it('carry every reader and coordinator event, splits and enumerator states as bytes, through msgpack', () => {
    const messages = [
      { type: 'reader-event', ...fenced, event: { kind: 'reader-registered', restored: true, restoredEnumerator: bytes } },
      { type: 'reader-event', ...fenced, event: { kind: 'reader-registered', restored: false } },
      { type: 'reader-event', ...fenced, event: { kind: 'split-request' } },
      { type: 'reader-event', ...fenced, event: { kind: 'source-event', event: { offsets: [1, 2] } } },
      { type: 'coordinator-event', ...fenced, event: { kind: 'add-splits', splits: [bytes, bytes] } },
      { type: 'coordinator-event', ...fenced, event: { kind: 'no-more-splits' } },
      { type: 'coordinator-event', ...fenced, event: { kind: 'source-event', event: 'rebalance' } },
      { type: 'coordinator-event', ...fenced, event: { kind: 'enumerator-checkpoint', checkpointId: 7, state: bytes } },
    ];
    for (const m of messages) expect(checkRpcMessage(received(m))).toEqual(received(m));
  });

  it('refuses an event it does not know and splits that are not bytes, naming what is wrong', () => {
    expect(() => checkRpcMessage(received({ type: 'reader-event', ...fenced, event: { kind: 'steal-splits' } }))).toThrow('invalid "reader-event" message: /event');
    expect(() => checkRpcMessage(received({ type: 'coordinator-event', ...fenced, event: { kind: 'add-splits', splits: [{ version: 1, bytes: 'not bytes' }] } }))).toThrow(
      'invalid "coordinator-event" message: /event',
    );
  });
});
