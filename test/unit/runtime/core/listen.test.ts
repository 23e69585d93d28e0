import { describe, expect, it } from '@jest/globals';
import { listenError, listenTcp } from '../../../../runtime/core/listen.ts';

describe('listen', () => {
  it('says plainly that a port is in use, naming what listens and where', async () => {
    const first = await listenTcp('first server', '127.0.0.1', 0, (s) => s.destroy());
    try {
      await expect(listenTcp('JobManager RPC', '127.0.0.1', first.port, (s) => s.destroy())).rejects.toThrow(
        `JobManager RPC cannot listen on 127.0.0.1:${first.port}: address already in use`,
      );
    } finally {
      first.server.close();
    }
  });

  it('passes other errors on with the address, an IPv6 host in brackets', () => {
    expect(listenError('data plane', '::1', 6121, Object.assign(new Error('permission denied'), { code: 'EACCES' })).message).toBe('data plane cannot listen on [::1]:6121: permission denied');
  });
});
