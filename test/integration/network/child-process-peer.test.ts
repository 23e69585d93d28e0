import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { DataPlane } from '../../../runtime/network/data-plane.ts';
import { collect, flatten, produce, startPlane } from './data-plane-fixture.ts';
import { waitUntil } from '../../support/processes.ts';

const children: ChildProcess[] = [];
const planes: DataPlane[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(planes.splice(0).map((p) => p.close()));
});

/** Starts echo-peer.ts and resolves to its data address once it listens. */
async function startEchoPeer(parentAddress: string, channels: number): Promise<{ child: ChildProcess; address: string; stderr: string[] }> {
  const script = fileURLToPath(new URL('./echo-peer.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, parentAddress, String(channels)], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const [line] = (await Promise.race([
    once(child.stdout!, 'data'),
    once(child, 'exit').then(() => {
      throw new Error(`echo peer exited early: ${stderr.join('')}`);
    }),
  ])) as [Buffer];
  return { child, address: (JSON.parse(line.toString()) as { address: string }).address, stderr };
}

describe('data plane with a peer in another process', () => {
  it('sends to a child process and receives its echo on the same connection, exactly and in order', async () => {
    const parent = await startPlane('parent');
    planes.push(parent.plane);
    const channels = 4;
    const records = 20_000;
    const echoes = Array.from({ length: channels }, (_, c) => collect(parent.plane.registerInput(1000 + c)));
    const { child, address, stderr } = await startEchoPeer(parent.address, channels);
    const exited = once(child, 'exit');
    await Promise.all(
      Array.from({ length: channels }, async (_, c) => {
        const writer = parent.plane.createWriter(address, c);
        await produce(writer, records, (i) => ({ i: i + c }));
        writer.emitEvent({ kind: 'watermark', timestamp: records });
        writer.emitEvent({ kind: 'end-of-partition' });
        writer.close();
      }),
    );
    const results = await Promise.all(echoes);
    for (let c = 0; c < channels; c++) {
      const expected = Array.from({ length: records }, (_, i) => `{"i":${(i + c) * 2}}@${i}`);
      expect(flatten(results[c]!)).toEqual([...expected, `watermark:${records}`, 'end-of-partition']);
    }
    expect(parent.plane.connectionCount).toBe(1);
    expect(await exited).toEqual([0, null]);
    expect(stderr.join('')).toBe('');
    expect(parent.errors).toEqual([]);
  });

  it('fails the channels to a peer process killed with SIGKILL', async () => {
    const parent = await startPlane('parent');
    planes.push(parent.plane);
    const echo = parent.plane.registerInput(1000);
    const { child, address } = await startEchoPeer(parent.address, 1);
    const writer = parent.plane.createWriter(address, 0);
    writer.emit({ i: 1 }, 1);
    let first = null;
    await waitUntil(() => (first = echo.poll()) !== null, 'the first echo');
    expect(first).toEqual({ values: [{ i: 2 }], timestamps: [1] });
    child.kill('SIGKILL');
    await once(child, 'exit');
    let failure = '';
    await waitUntil(() => {
      try {
        return echo.poll() !== null;
      } catch (error) {
        failure = (error as Error).message;
        return true;
      }
    }, 'the input channel to fail');
    const lost = /^data-plane connection to peer echo-peer-\d+ \(127\.0\.0\.1:\d+\) lost(: read ECONNRESET)?$/;
    expect(failure).toMatch(lost);
    await expect(writer.availability()).rejects.toThrow(lost);
    expect(() => writer.emit({ i: 2 }, 2)).toThrow(lost);
    expect(parent.errors).toEqual([expect.stringMatching(lost)]);
  });
});
