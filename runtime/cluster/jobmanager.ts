import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { SluiceConfig } from '../config/index.ts';
import { formatPeerAddress } from '../core/peer-address.ts';
import { RpcConnection } from '../rpc/rpc-connection.ts';
import type { TaskManagerMessage } from '../rpc/rpc-messages.ts';
import type { JobCheckpointing } from './checkpoint-hooks.ts';
import { buildJobGraph } from './job-graph-builder.ts';
import { JobMaster } from './job-master.ts';
import { createJobManagerMetrics } from './jobmanager-metrics.ts';
import { listenError, listenTcp } from '../core/listen.ts';
import { createRestServer } from './rest-server.ts';
import { restToken } from '../rest/run-key.ts';
import { BearerToken } from '../security/bearer-token.ts';
import { readRunKey } from '../security/run-key-source.ts';
import { UnauthenticatedConnections } from '../security/unauthenticated-connections.ts';

export interface RunningJobManager {
  readonly master: JobMaster;
  readonly rpcPort: number;
  readonly restPort: number;
  close(): Promise<void>;
}

/**
 * A JobManager process's parts: reads the run key (refusing to start without one unless
 * `security.auth` is disabled), builds the job's graph (a module that throws makes the job FAILED
 * with that error, served over REST), then the JobMaster, the RPC server TaskManagers dial and the
 * REST server. Ports 0 pick free ones.
 */
export async function startJobManager(config: SluiceConfig, logger: Logger, checkpointing?: JobCheckpointing): Promise<RunningJobManager> {
  // Before anything listens: without its key a JobManager would be open to anyone.
  const runKey = readRunKey(config.security, logger);
  const graph = await buildJobGraph(config).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  const master = new JobMaster({ config, graph, logger, checkpointing });
  const { bindAddress, rpcPort, restPort } = config.jobmanager;
  let rpc: { server: Server; port: number };
  const sockets = new Set<Socket>();
  // Until a peer authenticated and registered it holds a slot of a bounded pool, and only for so long.
  const unregistered = new UnauthenticatedConnections({
    port: 'JobManager RPC',
    deadline: config.security.handshakeTimeout,
    limit: config.security.maxUnauthenticatedConnections,
    logger,
  });
  try {
    rpc = await listenTcp('JobManager RPC', bindAddress, rpcPort, (socket) => {
      if (!unregistered.accept(socket)) return;
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      const peer = formatPeerAddress(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
      const connection: RpcConnection = new RpcConnection(
        socket,
        `TaskManager connection ${peer}`,
        {
          message: (m) => {
            if (m.type === 'register') unregistered.admitted(socket);
            master.onMessage(connection, m as TaskManagerMessage);
          },
          closed: (error) => master.onConnectionClosed(connection, error),
        },
        { side: 'jobmanager', runKey },
      );
    });
  } catch (e) {
    master.close();
    throw e;
  }
  const metrics = createJobManagerMetrics(master);
  const rest = createRestServer(master, checkpointing?.metrics ? Registry.merge([metrics, checkpointing.metrics]) : metrics, checkpointing, {
    token: runKey === null ? null : new BearerToken(restToken(runKey)),
    storage: config.checkpointing.storage,
  });
  try {
    await rest.listen({ host: bindAddress, port: restPort });
  } catch (e) {
    master.close();
    rpc.server.close();
    throw listenError('JobManager REST', bindAddress, restPort, e);
  }
  const address = rest.server.address();
  const actualRest = typeof address === 'object' && address !== null ? address.port : restPort;
  logger.info({ jobId: config.job.id, rpcPort: rpc.port, restPort: actualRest, sessionId: master.sessionId }, 'JobManager started');
  return {
    master,
    rpcPort: rpc.port,
    restPort: actualRest,
    async close() {
      master.close();
      const stopped = new Promise<void>((resolve) => rpc.server.close(() => resolve()));
      unregistered.closeAll();
      for (const socket of sockets) socket.destroy();
      await Promise.all([stopped, rest.close()]);
    },
  };
}
