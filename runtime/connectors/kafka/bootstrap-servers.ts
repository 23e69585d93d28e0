import { formatPeerAddress, parsePeerAddress, type PeerAddress } from '../../core/peer-address.ts';

/** Kafka's `bootstrap.servers`: comma-separated `host:port` pairs, at least one. */
export function parseBootstrapServers(servers: string): PeerAddress[] {
  const addresses = servers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (addresses.length === 0) throw new Error(`bad Kafka bootstrap servers "${servers}": expected host:port[,host:port...]`);
  return addresses.map((address) => {
    try {
      return parsePeerAddress(address);
    } catch {
      throw new Error(`bad Kafka bootstrap server "${address}" in "${servers}": expected host:port with a port from 1 to 65535`);
    }
  });
}

/** The servers as the client takes them. */
export function bootstrapBrokers(servers: string): string[] {
  return parseBootstrapServers(servers).map(({ host, port }) => formatPeerAddress(host, port));
}
