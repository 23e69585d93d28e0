import { createServer, type Server, type Socket } from 'node:net';
import { formatPeerAddress } from './peer-address.ts';

/** Why a server could not listen on `host:port`, naming `what` it is and the address; a port in use says so plainly. */
export function listenError(what: string, host: string, port: number, error: unknown): Error {
  const where = formatPeerAddress(host, port);
  const code = (error as NodeJS.ErrnoException).code;
  return new Error(code === 'EADDRINUSE' ? `${what} cannot listen on ${where}: address already in use` : `${what} cannot listen on ${where}: ${(error as Error).message}`);
}

/** Listens `server` on `host:port` (port 0 picks a free one) and resolves to the port bound; failing, rejects with {@link listenError}. */
export function listenOn(what: string, server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(listenError(what, host, port, e)));
    server.listen({ host, port }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** A TCP server on `host:port`; a port in use or another listen error rejects naming `what` and the address. */
export async function listenTcp(what: string, host: string, port: number, onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  return { server, port: await listenOn(what, server, host, port) };
}
