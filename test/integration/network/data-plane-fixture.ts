import type { ChannelElement, ChannelWriter, InputChannel } from '../../../runtime/network/channel.ts';
import { resolveConfig } from '../../../runtime/config/load-config.ts';
import { DataPlane } from '../../../runtime/network/data-plane.ts';
import type { NetworkOptions } from '../../../runtime/network/network-options.ts';
import { TEST_RUN_KEY } from '../../support/run-key.ts';

/**
 * Shared by the data-plane tests: the `network` section of a process configuration, with small
 * buffers so that tests cross many batches quickly.
 */
export function networkOptions(overrides: Partial<NetworkOptions> = {}): NetworkOptions {
  const network: NetworkOptions = resolveConfig({
    network: { bufferSize: '4kb', bufferRecords: 512, bufferTimeout: '5ms', maxFrameSize: '1mb', connectTimeout: '5s', maxUnregisteredChannels: 64 },
  }).network;
  return { ...network, ...overrides };
}

/** A data plane listening on a free loopback port; its errors are collected, not logged. */
export async function startPlane(processId: string, overrides: Partial<NetworkOptions> = {}, jobId = 'job-1', fencingToken = 1) {
  const plane = new DataPlane({ jobId, fencingToken, processId, network: networkOptions(overrides), runKey: TEST_RUN_KEY });
  const errors: string[] = [];
  plane.onError((error) => errors.push(error.message));
  const address = await plane.listen('127.0.0.1', 0);
  return { plane, address, errors };
}

/** Everything a channel delivers up to and including end-of-partition; rejects with the channel's failure. */
export function collect(channel: InputChannel): Promise<ChannelElement[]> {
  return new Promise((resolve, reject) => {
    const elements: ChannelElement[] = [];
    const drain = (): void => {
      try {
        for (let element = channel.poll(); element !== null; element = channel.poll()) {
          elements.push(element);
          if ('kind' in element && element.kind === 'end-of-partition') {
            resolve(elements);
            return;
          }
        }
      } catch (error) {
        reject(error);
      }
    };
    channel.setAvailabilityListener(drain);
    drain();
  });
}

/** Records of the elements, in order, with events as markers: ['r:0', 'r:1', 'watermark:5', ...]. */
export function flatten(elements: ChannelElement[]): string[] {
  const out: string[] = [];
  for (const element of elements) {
    if ('kind' in element) out.push(element.kind === 'watermark' ? `watermark:${element.timestamp}` : element.kind);
    else for (let i = 0; i < element.values.length; i++) out.push(`${JSON.stringify(element.values[i])}@${element.timestamps[i]}`);
  }
  return out;
}

/** Emits `count` records in bursts, waiting for availability between bursts as a task does. */
export async function produce(writer: ChannelWriter, count: number, record: (i: number) => unknown, burst = 200): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (i % burst === 0 && !writer.isAvailable()) await writer.availability();
    writer.emit(record(i), i);
  }
}
