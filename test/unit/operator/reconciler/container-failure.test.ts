import { describe, expect, it } from '@jest/globals';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { containerFailure } from '../../../../operator/reconciler/container-failure.ts';

// Container statuses as a real kubelet writes them (kubelet_pods.go, kuberuntime_container.go, images/image_manager.go).
const status = (name: string, fields: Partial<V1ContainerStatus>): V1ContainerStatus => ({ name, image: 'sluice-runtime:0.1.0', imageID: '', ready: false, restartCount: 0, ...fields });
const pod = (containers: V1ContainerStatus[], init: V1ContainerStatus[] = []): V1Pod => ({ status: { phase: 'Pending', containerStatuses: containers, initContainerStatuses: init } });

describe('containerFailure', () => {
  it('reads a crash loop with its back-off and the last exit', () => {
    const crashing = status('taskmanager', {
      restartCount: 3,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=taskmanager pod=wc-taskmanager-0_ns(0c1d)' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: new Date(0), finishedAt: new Date(0) } },
    });
    expect(containerFailure(pod([crashing]))).toEqual({
      container: 'taskmanager',
      reason: 'CrashLoopBackOff',
      message: 'back-off 40s restarting failed container=taskmanager pod=wc-taskmanager-0_ns(0c1d); last exit code 1 (Error) after 3 restarts',
    });
  });

  it('reads image pulls and container configuration that fail', () => {
    const pull = status('jobmanager', { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example.com/sluice:missing"' } } });
    expect(containerFailure(pod([pull]))).toEqual({ container: 'jobmanager', reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example.com/sluice:missing"' });
    const config = status('taskmanager', { state: { waiting: { reason: 'CreateContainerConfigError', message: 'couldn\'t find key AWS_SECRET_ACCESS_KEY in Secret ns/minio-creds' } } });
    expect(containerFailure(pod([config]))?.reason).toBe('CreateContainerConfigError');
    const invalid = status('taskmanager', { state: { waiting: { reason: 'InvalidImageName', message: 'Failed to apply default image tag "Bad:Name": couldn\'t parse image name' } } });
    expect(containerFailure(pod([invalid]))?.reason).toBe('InvalidImageName');
  });

  it('reports init containers first, and nothing for containers that are starting or running', () => {
    const creating = status('taskmanager', { state: { waiting: { reason: 'ContainerCreating' } } });
    const running = status('sidecar', { ready: true, state: { running: { startedAt: new Date(0) } } });
    expect(containerFailure(pod([creating, running]))).toBeUndefined();
    const init = status('init', { state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=init pod=p_ns(u)' } } });
    expect(containerFailure(pod([creating], [init]))).toEqual({ container: 'init', reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=init pod=p_ns(u)' });
    expect(containerFailure({})).toBeUndefined();
  });
});
