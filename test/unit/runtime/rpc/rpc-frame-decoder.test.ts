import { describe, expect, it } from '@jest/globals';
import { pack } from 'msgpackr';
import { RpcFrameDecoder, readRpcMessage } from '../../../../runtime/rpc/rpc-frame-decoder.ts';
import type { RpcMessage } from '../../../../runtime/rpc/rpc-messages.ts';

const frame = (value: unknown): Buffer => {
  const payload = pack(value);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
};

const decode = (chunks: Buffer[], max = 1024): RpcMessage[] => {
  const decoder = new RpcFrameDecoder('peer tm-1', max);
  const out: RpcMessage[] = [];
  for (const c of chunks) decoder.push(c, (m) => out.push(readRpcMessage('peer tm-1', m)));
  return out;
};

describe('RPC frame decoder', () => {
  const heartbeat = { type: 'jm-heartbeat', sessionId: 's-1' };
  const register = { type: 'register', taskManagerId: 'tm-1', jobId: 'job', dataAddress: '127.0.0.5:6121', slots: 2 };

  it('reassembles frames split at any byte', () => {
    const bytes = Buffer.concat([frame(heartbeat), frame(register)]);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(decode([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([heartbeat, register]);
    }
  });

  it('keeps a frame arriving byte by byte in its chunks and copies it once, complete', () => {
    const bytes = frame(register);
    const decoder = new RpcFrameDecoder('peer tm-1', 1024);
    const out: unknown[] = [];
    for (let i = 0; i < bytes.length; i++) {
      decoder.push(bytes.subarray(i, i + 1), (m) => out.push(m));
      if (i < bytes.length - 1) expect(decoder.bufferedBytes).toBe(i < 3 ? i + 1 : i + 1 - 4);
    }
    expect(out).toEqual([register]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('applies a changed frame limit to the next frame, before buffering its payload', () => {
    const decoder = new RpcFrameDecoder('peer tm-1', 4096);
    const big = frame({ type: 'jm-heartbeat', sessionId: 'x'.repeat(5000) });
    expect(() => decoder.push(big.subarray(0, 4), () => undefined)).toThrow('malformed RPC frame from peer tm-1: frame length 5034 outside 1..4096');
    const after = new RpcFrameDecoder('peer tm-1', 4096);
    const out: unknown[] = [];
    after.push(frame(heartbeat), (m) => {
      out.push(m);
      after.maxFrameSize = 64 * 1024;
    });
    after.push(big, (m) => out.push(m));
    expect(out).toHaveLength(2);
  });

  it('names what is wrong with a frame', () => {
    expect(() => decode([Buffer.from([0, 0, 0, 0])])).toThrow('malformed RPC frame from peer tm-1: frame length 0 outside 1..1024');
    expect(() => decode([Buffer.from([0, 1, 0, 0])])).toThrow('malformed RPC frame from peer tm-1: frame length 65536 outside 1..1024');
    expect(() => decode([frame([1, 2])])).toThrow('malformed RPC frame from peer tm-1: expected a message object, got an array');
    expect(() => decode([frame({ type: 'bogus' })])).toThrow('malformed RPC frame from peer tm-1: unknown message type "bogus"');
    expect(() => decode([frame({ ...register, slots: 0 })])).toThrow('malformed RPC frame from peer tm-1: invalid "register" message: /slots Expected integer to be greater or equal to 1');
    expect(() => decode([Buffer.from([0, 0, 0, 1, 0xd9])])).toThrow('malformed RPC frame from peer tm-1: undecodable payload (Unexpected end of MessagePack data)');
  });
});
