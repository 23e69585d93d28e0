import { describe, it, expect, afterAll } from '@jest/globals';
import { alive, nodePod, startTestCluster, waitFor, type TestCluster } from './cluster-harness.ts';

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
    for (const name of ['a', 'b']) await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(nodePod(name, script)));
    const pids: number[] = [];
    for (const name of ['a', 'b']) {
      const pod = await waitFor(`pod ${name} Running`, async () => {
        const p = await cluster!.pod('default', name);
        return p?.status?.phase === 'Running' ? p : undefined;
      });
      pids.push(Number(pod.status!.containerStatuses![0]!.containerID!.replace('process://', '')));
      pids.push(Number(await waitFor(`${name} child pid`, async () => (await cluster!.kubectlOk(['logs', name])).trim() || undefined)));
    }
    expect(pids.every(alive)).toBe(true);
    await cluster.kubelet.stop();
    await waitFor('all pod processes gone', () => (pids.some(alive) ? undefined : true), 5_000);
    expect(pids.filter(alive)).toEqual([]);
  });
});
