import type { ResourceApi } from '../apiserver/resource-api.ts';
import { controllerContext, type Controller } from './controller-context.ts';
import { startCrdCleanup } from './crd-cleanup.ts';
import { startDeploymentController } from './deployment-controller.ts';
import { startEndpointsController } from './endpoints-controller.ts';
import { startGarbageCollector } from './garbage-collector.ts';
import { startNamespaceController } from './namespace-controller.ts';
import { startReplicaSetController } from './replicaset-controller.ts';
import { startScheduler } from './scheduler.ts';

/** Starts the controllers a kube-controller-manager and kube-scheduler would run, in process. */
export function startControllers(api: ResourceApi): Controller {
  const subscriptions: (() => void)[] = [];
  const starters: [string, (ctx: ReturnType<typeof controllerContext>) => Controller][] = [
    ['namespace-controller', startNamespaceController],
    ['generic-garbage-collector', startGarbageCollector],
    ['scheduler', startScheduler],
    ['endpoint-controller', startEndpointsController],
    ['deployment-controller', startDeploymentController],
    ['replicaset-controller', startReplicaSetController],
    ['crd-cleanup', startCrdCleanup],
  ];
  const controllers = starters.map(([name, start]) => start(controllerContext(api, name, subscriptions)));
  return {
    stop: () => {
      for (const unsubscribe of subscriptions) unsubscribe();
      for (const c of controllers) c.stop();
    },
  };
}
