import { describe, it, expect } from '@jest/globals';
import { podPhase, podStatus, type ContainerView } from '../../../../sandbox/kubelet/pod-status.ts';

const exited = (exitCode: number) => ({ exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: 't0', finishedAt: 't1', containerID: 'process://1' });
const view = (name: string, v: Partial<ContainerView>): ContainerView => ({ name, image: 'img', restartCount: 0, ready: false, started: false, ...v });

describe('pod status', () => {
  it('derives the phase like the kubelet', () => {
    expect(podPhase([], [view('a', { waiting: { reason: 'ContainerCreating' } })])).toBe('Pending');
    expect(podPhase([], [view('a', { running: { startedAt: 't', containerID: 'c' } }), view('b', {})])).toBe('Pending');
    expect(podPhase([], [view('a', { waiting: { reason: 'CrashLoopBackOff' }, lastTermination: exited(1) })])).toBe('Running');
    expect(podPhase([], [view('a', { terminated: exited(0) }), view('b', { running: { startedAt: 't', containerID: 'c' } })])).toBe('Running');
    expect(podPhase([], [view('a', { terminated: exited(0) }), view('b', { terminated: exited(0) })])).toBe('Succeeded');
    expect(podPhase([], [view('a', { terminated: exited(0) }), view('b', { terminated: exited(3) })])).toBe('Failed');
  });

  it('is Pending while init containers run, Failed when one failed for good', () => {
    const app = view('app', { waiting: { reason: 'PodInitializing' } });
    expect(podPhase([view('init', { terminated: exited(0) }), view('init2', { running: { startedAt: 't', containerID: 'c' } })], [app])).toBe('Pending');
    expect(podPhase([view('init', { waiting: { reason: 'CrashLoopBackOff' }, lastTermination: exited(1) })], [app])).toBe('Pending');
    expect(podPhase([view('init', { terminated: exited(2) })], [app])).toBe('Failed');
    const status = podStatus({ previous: undefined, hostIP: 'h', podIP: 'p', startTime: 't', initContainers: [view('init', { terminated: exited(0) }), view('init2', {})], containers: [app], now: 'n' });
    expect(status.conditions!.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init2]' });
    expect(status.initContainerStatuses!.map((c) => c.name)).toEqual(['init', 'init2']);
  });

  it('reports conditions, keeping lastTransitionTime while a condition holds, and container states', () => {
    const running = view('main', { running: { startedAt: 't5', containerID: 'process://9' }, restartCount: 2, lastTermination: exited(1), ready: true, started: true });
    const first = podStatus({
      previous: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: 't0' }, { type: 'Ready', status: 'False', lastTransitionTime: 't1' }] },
      hostIP: '127.0.0.1',
      podIP: '127.0.4.2',
      startTime: 't1',
      initContainers: [],
      containers: [running],
      now: 't6',
    });
    expect(first).toEqual({
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: 't0' },
        { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: 't6' },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: 't6' },
        { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: 't6' },
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: 't6' },
      ],
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP: '127.0.4.2',
      podIPs: [{ ip: '127.0.4.2' }],
      startTime: 't1',
      containerStatuses: [
        {
          name: 'main',
          state: { running: { startedAt: 't5' } },
          lastState: { terminated: exited(1) },
          ready: true,
          started: true,
          restartCount: 2,
          image: 'img',
          imageID: '',
          containerID: 'process://9',
        },
      ],
    });
    const second = podStatus({ previous: first, hostIP: '127.0.0.1', podIP: '127.0.4.2', startTime: 't1', initContainers: [], containers: [{ ...running, ready: false }], now: 't9' });
    expect(second.conditions!.map((c) => [c.type, c.status, c.lastTransitionTime, c.reason])).toEqual([
      ['PodScheduled', 'True', 't0', undefined],
      ['PodReadyToStartContainers', 'True', 't6', undefined],
      ['Initialized', 'True', 't6', undefined],
      ['ContainersReady', 'False', 't9', 'ContainersNotReady'],
      ['Ready', 'False', 't9', 'ContainersNotReady'],
    ]);
  });
});
