import { describe, expect, it } from '@jest/globals';
import { withJobCheckpointing } from '../../../../runtime/cluster/checkpointing-settings.ts';
import { resolveConfig } from '../../../../runtime/config/load-config.ts';

describe('withJobCheckpointing', () => {
  const config = resolveConfig(
    { checkpointing: { interval: '10s', mode: 'at-least-once', timeout: '30s', minPause: '1s', retained: 5, storage: { filesystem: { path: '/cp' } } } },
    { defaultTaskManagerId: 'tm' },
  );

  it("takes interval and mode from the job's env.enableCheckpointing, storage, timeout, minPause and retained from the process configuration", () => {
    expect(withJobCheckpointing(config, { interval: 200, mode: 'exactly-once' }).checkpointing).toEqual({
      interval: 200,
      mode: 'exactly-once',
      timeout: 30_000,
      minPause: 1000,
      retained: 5,
      storage: { filesystem: { path: '/cp' } },
    });
  });

  it('leaves the configuration as it is for a job that does not enable checkpointing', () => {
    expect(withJobCheckpointing(config, undefined)).toBe(config);
  });
});
