import { describe, it, expect } from '@jest/globals';
import { ProbeWorker } from '../../../../sandbox/kubelet/probe.ts';
import { waitFor } from '../../../support/processes.ts';

/** Runs a probe worker over scripted attempt results (the last one repeats); returns the result flips in order. */
async function flips(results: boolean[], initial: boolean, successThreshold: number, failureThreshold: number): Promise<boolean[]> {
  const seen: boolean[] = [];
  let attempt = 0;
  const worker = new ProbeWorker({ periodSeconds: 0.001, successThreshold, failureThreshold }, initial, async () => results[attempt++] ?? results.at(-1)!, (r) => seen.push(r));
  worker.start();
  // one attempt beyond the script means every scripted result has been processed
  await waitFor('all attempts made', () => (attempt > results.length ? true : undefined), 5_000, 5);
  worker.stop();
  return seen;
}

describe('probe thresholds', () => {
  it('flips to failure after failureThreshold consecutive failures and back after successThreshold successes', async () => {
    expect(await flips([false, false, true, false, false, false, true, true], true, 2, 3)).toEqual([false, true]);
  });

  it('a readiness probe starts failed and needs successThreshold successes in a row', async () => {
    expect(await flips([true, false, true, true], false, 2, 3)).toEqual([true]);
    expect(await flips([true, false, true, false], false, 2, 1)).toEqual([]);
  });
});
