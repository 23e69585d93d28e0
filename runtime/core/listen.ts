import { createServer, type Server, type Socket } from 'node:net';
import { formatPeerAddress } from './peer-address.ts';

/** A TCP server on `host:port`; a port in use or another listen error rejects naming `what` and the address. */
export function listenTcp(what: string, host: string, port: number, onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = formatPeerAddress(host, port);
      reject(new Error(e.code === 'EADDRINUSE' ? `${what} cannot listen on ${where}: address already in use` : `${what} cannot listen on ${where}: ${e.message}`));
    });
    server.listen({ host, port }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : port });
    });
  });
}
