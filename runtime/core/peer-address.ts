/** A data-plane address, written `host:port` (an IPv6 host in brackets: `[::1]:6121`). */
export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export function parsePeerAddress(address: string): PeerAddress {
  const colon = address.lastIndexOf(':');
  const host = colon > 0 ? address.slice(0, colon).replace(/^\[(.*)\]$/, '$1') : '';
  const portText = address.slice(colon + 1);
  const port = Number(portText);
  if (host === '' || !/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new Error(`bad data-plane address "${address}": expected host:port with a port from 1 to 65535`);
  }
  return { host, port };
}

export function formatPeerAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
