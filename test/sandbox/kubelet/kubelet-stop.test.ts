import { describe, it, expect, afterAll } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { alive, nodePod, startTestCluster, type TestCluster } from './cluster-harness.ts';
import { waitFor } from '../../support/processes.ts';

/** Pids whose command line is exactly `argv`. */
function pidsRunning(argv: string[]): number[] {
  const wanted = argv.join('\0') + '\0';
  return readdirSync('/proc')
    .filter((name) => /^[0-9]+$/.test(name))
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8') === wanted;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('process kubelet: shutdown', () => {
  let cluster: TestCluster | undefined;
  afterAll(async () => {
    await cluster?.stop();
  });

  it('kills every process it started, children included, when it stops', async () => {
    cluster = await startTestCluster();
    const script = `
      const child = require('child_process').spawn('sleep', ['1000'], { stdio: 'ignore' });
      console.log(child.pid);
      setInterval(() => {}, 1000);`;
    // b's exec liveness probe never finishes: the probe's process must die with the kubelet too
    const hangingProbe = ['sleep', `${process.pid}.5`];
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(nodePod('a', script)));
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(nodePod('b', script, { container: { livenessProbe: { exec: { command: hangingProbe }, timeoutSeconds: 600 } } })));
    const pids: number[] = [];
    for (const name of ['a', 'b']) {
      const pod = await waitFor(`pod ${name} Running`, async () => {
        const p = await cluster!.pod('default', name);
        return p?.status?.phase === 'Running' ? p : undefined;
      });
      pids.push(Number(pod.status!.containerStatuses![0]!.containerID!.replace('process://', '')));
      pids.push(Number(await waitFor(`${name} child pid`, async () => (await cluster!.kubectlOk(['logs', name])).trim() || undefined)));
    }
    pids.push(...(await waitFor('hanging probe running', () => {
      const found = pidsRunning(hangingProbe);
      return found.length > 0 ? found : undefined;
    })));
    expect(pids.every(alive)).toBe(true);
    await cluster.kubelet.stop();
    await waitFor('all pod processes gone', () => (pids.some(alive) ? undefined : true), 5_000);
    expect(pids.filter(alive)).toEqual([]);
  });
});
