/**
 * A data-plane peer in its own process, for the tests: `echo-peer.ts <parent-address> <channels>`.
 * Listens on a free loopback port and prints it; for each channel c it receives, it sends every
 * record back doubled (`{ i }` → `{ i: 2i }`) with its timestamp, and every event, on channel
 * 1000 + c towards the parent (over the connection the parent opened), honouring backpressure. Exits once all channels ended and were
 * echoed, or when its stdin closes (the parent went away).
 */
import { DataPlane } from '../../../runtime/network/data-plane.ts';
import type { InputChannel } from '../../../runtime/network/channel.ts';
import type { RemoteChannelWriter } from '../../../runtime/network/remote-channel-writer.ts';
import { networkOptions } from './data-plane-fixture.ts';
import { TEST_RUN_KEY } from '../../support/run-key.ts';

const [parentAddress, channelCount] = process.argv.slice(2);
const plane = new DataPlane({ jobId: 'job-1', fencingToken: 1, processId: `echo-peer-${process.pid}`, network: networkOptions(), runKey: TEST_RUN_KEY });
plane.onError((error) => {
  process.stderr.write(`echo-peer: ${error.message}\n`);
  process.exit(2);
});
process.stdin.on('end', () => process.exit(3));
process.stdin.resume();

let open = Number(channelCount);
const echo = (input: InputChannel, channelId: number): void => {
  // Dialled on first data, so that the parent's connection exists and is reused.
  let writer: RemoteChannelWriter | null = null;
  const pump = (): void => {
    for (let element = input.poll(); element !== null; element = input.poll()) {
      writer ??= plane.createWriter(parentAddress!, channelId);
      if ('kind' in element) {
        writer.emitEvent(element);
        if (element.kind === 'end-of-partition') {
          writer.close();
          if (--open === 0) void plane.close(10_000).then(() => process.exit(0));
          return;
        }
      } else {
        for (let i = 0; i < element.values.length; i++) writer.emit({ i: (element.values[i] as { i: number }).i * 2 }, element.timestamps[i]!);
      }
      if (!writer.isAvailable()) {
        void writer.availability().then(pump);
        return;
      }
    }
  };
  input.setAvailabilityListener(pump);
  pump();
};

const address = await plane.listen('127.0.0.1', 0);
for (let c = 0; c < open; c++) echo(plane.registerInput(c), 1000 + c);
process.stdout.write(`${JSON.stringify({ address })}\n`);
