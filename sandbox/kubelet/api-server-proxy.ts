import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * The `kubernetes` Service for pods: a TCP proxy on the kubelet's reserved loopback address that
 * forwards to the API server, so `KUBERNETES_SERVICE_HOST/PORT` and `kubernetes.default.svc`
 * reach it the way a ClusterIP would.
 */
export async function startApiServerProxy(listenHost: string, listenPort: number, target: { host: string; port: number }): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, listenHost, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
