import type { Logger } from 'pino';
import type { SluiceConfig } from '../config/index.ts';
import { DataPlane } from '../network/data-plane.ts';
import { buildJobGraph } from './job-graph-builder.ts';
import { readRunKey } from '../security/run-key-source.ts';
import { TaskExecutor, type TaskCheckpointHooks } from './task-executor.ts';

/**
 * A TaskManager process's parts: reads the run key (refusing to start without one unless
 * `security.auth` is disabled), builds the job's graph from the same module as the JobManager,
 * binds its data plane (advertising the pod IP), and registers with the JobManager.
 */
export async function startTaskManager(config: SluiceConfig, logger: Logger, onRefused: (error: Error) => void, checkpoints?: TaskCheckpointHooks): Promise<TaskExecutor> {
  const runKey = readRunKey(config.security, logger);
  const graph = await buildJobGraph(config);
  const tm = config.taskmanager;
  const plane = new DataPlane({
    jobId: config.job.id,
    fencingToken: 0,
    processId: tm.id,
    network: config.network,
    runKey,
    handshakeTimeout: config.security.handshakeTimeout,
    maxUnauthenticatedConnections: config.security.maxUnauthenticatedConnections,
    logger: logger.child({ component: 'data-plane' }),
  });
  plane.onError((e) => logger.warn({ err: { name: e.name, message: e.message } }, e.message));
  const address = await plane.listen(tm.bindAddress, tm.dataPort, tm.advertisedAddress);
  logger.info({ taskManagerId: tm.id, dataAddress: address, slots: tm.slots }, 'TaskManager started');
  const executor = new TaskExecutor({ config, graph, plane, logger, checkpoints, onRefused, runKey });
  executor.start();
  return executor;
}
