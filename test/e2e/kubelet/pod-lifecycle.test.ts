import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../../sandbox/kube-api/kube-types.ts';
import { waitFor } from '../../support/processes.ts';
import { useCluster, type E2eCluster } from '../support/cluster.ts';
import { alive, BACKOFF_SCALE, condition, containerPid, finished, nodePod, podWhere as podIn } from './pods.ts';

const NS = 'e2e-kubelet-pods';

describe('process kubelet: pod lifecycle on the real control plane', () => {
  let cluster: E2eCluster;
  beforeAll(async () => {
    cluster = await useCluster(NS);
  });
  afterAll(() => cluster?.release());

  const apply = (manifest: unknown) => cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(manifest));
  const podWhere = (name: string, what: string, test: (pod: Pod) => boolean, timeoutMs?: number) => podIn(cluster, name, what, test, timeoutMs);
  const main = (pod: Pod) => pod.status!.containerStatuses![0]!;
  /** The kubelet's Events about a pod, as `type reason: message` lines, through kubectl. */
  const events = async (pod: string): Promise<string[]> => {
    const list = JSON.parse(await cluster.kubectlOk(['get', 'events', '-o', 'json'])) as {
      items: { involvedObject: { name: string }; source?: { component?: string }; type: string; reason: string; message: string }[];
    };
    return list.items.filter((e) => e.involvedObject.name === pod && e.source?.component === 'kubelet').map((e) => `${e.type} ${e.reason}: ${e.message}`);
  };
  const configError = (pod: Pod) => {
    const state = pod.status?.containerStatuses?.[0]?.state;
    return state !== undefined && 'waiting' in state && state.waiting.reason === 'CreateContainerConfigError';
  };

  it('registers a Ready node with its kubelet endpoint', async () => {
    const node = JSON.parse(await cluster.kubectlOk(['get', 'node', 'sandbox-node', '-o', 'json']));
    expect(node.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    expect(node.status.daemonEndpoints.kubeletEndpoint.Port).toBe(Number(new URL(cluster.kubeletUrl).port));
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
  });

  it('runs a pod as a process that reaches Running, then Ready when its readiness probe passes', async () => {
    const script = `
      const started = Date.now();
      require('http').createServer((req, res) => {
        res.statusCode = req.url === '/ready' && Date.now() - started < 1500 ? 503 : 200;
        res.end('ok');
      }).listen(8080, process.env.POD_IP);`;
    await apply(
      nodePod('web', script, {
        container: {
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 },
        },
      }),
    );
    const runningUnready = await podWhere('web', 'Running but not Ready', (p) => p.status?.phase === 'Running' && condition(p, 'Ready') === 'False');
    expect(main(runningUnready).ready).toBe(false);
    const ready = await podWhere('web', 'Ready', (p) => condition(p, 'Ready') === 'True');
    expect(condition(ready, 'ContainersReady')).toBe('True');
    expect(condition(ready, 'Initialized')).toBe('True');
    expect(condition(ready, 'PodScheduled')).toBe('True');
    expect(ready.status!.podIP).toMatch(/^127\.0\.\d+\.\d+$/);
    expect(ready.status!.podIPs).toEqual([{ ip: ready.status!.podIP }]);
    expect(ready.status!.hostIP).toBe('127.0.0.1');
    expect(new Date(String(ready.status!.startTime)).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(main(ready)).toMatchObject({ name: 'main', ready: true, started: true, restartCount: 0, state: { running: {} } });
    const res = await fetch(`http://${ready.status!.podIP}:8080/`);
    expect(await res.text()).toBe('ok');
    const table = await cluster.kubectlOk(['get', 'pod', 'web', '--no-headers']);
    expect(table.split(/\s+/).slice(0, 3)).toEqual(['web', '1/1', 'Running']);
  });

  it('gives the process env, envFrom, downward API values and volume files at their mountPath', async () => {
    const base = `/etc/sluice-kubelet-test-${process.pid}`;
    await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { greeting: 'hello', 'app.yaml': 'level: debug\n' } });
    await apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 's3cret' } });
    const script = `
      const fs = require('fs');
      const r = (p) => fs.readFileSync(p, 'utf8');
      fs.writeFileSync('/scratch/x', 'w');
      const e = process.env;
      console.log(JSON.stringify({
        env: { GREETING: e.GREETING, CFG_greeting: e.CFG_greeting, PASSWORD: e.PASSWORD, POD_NAME: e.POD_NAME, POD_NAMESPACE: e.POD_NAMESPACE,
               POD_UID: e.POD_UID, POD_IP: e.POD_IP, NODE_NAME: e.NODE_NAME, SA: e.SA, ADDR: e.ADDR, PLAIN: e.PLAIN },
        args: process.argv.slice(1),
        files: { app: r('${base}/config/app.yaml'), item: r('${base}/items/renamed.txt'), password: r('${base}/secret/password'),
                 labels: r('${base}/podinfo/labels'), name: r('${base}/podinfo/name'), scratch: r('/scratch/x') },
        serviceAccount: { namespace: r('/var/run/secrets/kubernetes.io/serviceaccount/namespace'), token: r('/var/run/secrets/kubernetes.io/serviceaccount/token').length > 0 },
        kubernetes: e.KUBERNETES_SERVICE_HOST + ':' + e.KUBERNETES_SERVICE_PORT,
      }));`;
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'envpod', labels: { app: 'env', tier: 'test' } },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'main',
            image: 'sluice/runtime:test',
            command: ['node', '-e', script],
            args: ['addr=$(ADDR)', '$$(ADDR)'],
            envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'app-config' } }],
            env: [
              { name: 'PLAIN', value: 'plain value' },
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'greeting' } } },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
              { name: 'ADDR', value: '$(POD_IP):6123' },
            ],
            volumeMounts: [
              { name: 'config', mountPath: `${base}/config` },
              { name: 'items', mountPath: `${base}/items` },
              { name: 'secret', mountPath: `${base}/secret` },
              { name: 'podinfo', mountPath: `${base}/podinfo` },
              { name: 'scratch', mountPath: '/scratch' },
            ],
          },
        ],
        volumes: [
          { name: 'config', configMap: { name: 'app-config' } },
          { name: 'items', configMap: { name: 'app-config', items: [{ key: 'greeting', path: 'renamed.txt' }] } },
          { name: 'secret', secret: { secretName: 'creds' } },
          { name: 'podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
          { name: 'scratch', emptyDir: {} },
        ],
      },
    });
    const done = await podWhere('envpod', 'finished', finished);
    const logs = await cluster.kubectlOk(['logs', 'envpod']);
    expect({ phase: done.status!.phase, logs }).toEqual({ phase: 'Succeeded', logs: expect.stringMatching(/^\{.*\}\n$/) });
    const printed = JSON.parse(logs);
    expect(printed).toEqual({
      env: {
        GREETING: 'hello',
        CFG_greeting: 'hello',
        PASSWORD: 's3cret',
        POD_NAME: 'envpod',
        POD_NAMESPACE: NS,
        POD_UID: done.metadata.uid,
        POD_IP: done.status!.podIP,
        NODE_NAME: 'sandbox-node',
        SA: 'default',
        ADDR: `${done.status!.podIP}:6123`,
        PLAIN: 'plain value',
      },
      args: [`addr=${done.status!.podIP}:6123`, '$(ADDR)'],
      files: { app: 'level: debug\n', item: 'hello', password: 's3cret', labels: 'app="env"\ntier="test"', name: 'envpod', scratch: 'w' },
      serviceAccount: { namespace: NS, token: true },
      kubernetes: new URL(cluster.apiServerUrl).host,
    });
    expect(main(done).state).toMatchObject({ terminated: { exitCode: 0, reason: 'Completed' } });
    // mountpoints the kubelet created on the host are gone with the container
    expect(existsSync(base)).toBe(false);
  });

  it('brings ConfigMap and downward API volume files of a running pod up to date', async () => {
    await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'live-config' }, data: { mode: 'one' } });
    const script = `
      const fs = require('fs');
      let last = '';
      setInterval(() => {
        const now = fs.readFileSync('/config/mode', 'utf8') + ' ' + fs.readFileSync('/info/labels', 'utf8');
        if (now !== last) console.log((last = now));
      }, 100);`;
    await apply(
      nodePod('watcher', script, {
        labels: { stage: 'a' },
        spec: {
          volumes: [
            { name: 'config', configMap: { name: 'live-config' } },
            { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          ],
        },
        container: { volumeMounts: [{ name: 'config', mountPath: '/config' }, { name: 'info', mountPath: '/info' }] },
      }),
    );
    await waitFor('first content', async () => ((await cluster.kubectlOk(['logs', 'watcher'])) === 'one stage="a"\n' ? true : undefined));
    await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'live-config' }, data: { mode: 'two' } });
    await waitFor('updated ConfigMap', async () => ((await cluster.kubectlOk(['logs', 'watcher'])).endsWith('two stage="a"\n') ? true : undefined));
    await cluster.kubectlOk(['label', 'pod', 'watcher', 'stage=b', '--overwrite']);
    await waitFor('updated labels', async () => ((await cluster.kubectlOk(['logs', 'watcher'])).endsWith('two stage="b"\n') ? true : undefined));
  });

  it('restarts a failing container with growing back-off, then keeps it running; kubectl logs shows current and previous output', async () => {
    const script = `
      const fs = require('fs');
      fs.appendFileSync('/data/attempts', Date.now() + '\\n');
      const attempts = fs.readFileSync('/data/attempts', 'utf8').trim().split('\\n').map(Number);
      console.log('attempt ' + attempts.length);
      if (attempts.length <= 3) { console.error('failing'); process.exit(3); }
      console.log(JSON.stringify(attempts));
      setInterval(() => {}, 1000);`;
    await apply(
      nodePod('crasher', script, {
        spec: { restartPolicy: 'OnFailure', volumes: [{ name: 'data', emptyDir: {} }] },
        container: { volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      }),
    );
    const seen = new Set<string>();
    const settled = await podWhere('crasher', 'running after 3 restarts', (p) => {
      const s = p.status?.containerStatuses?.[0];
      if (s?.state && 'waiting' in s.state) seen.add(s.state.waiting.reason);
      return s?.restartCount === 3 && s.ready && 'running' in s.state;
    });
    expect(seen.has('CrashLoopBackOff')).toBe(true);
    expect(main(settled).lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(settled.status!.phase).toBe('Running');

    const logs = await waitFor('current log complete', async () => {
      const text = await cluster.kubectlOk(['logs', 'crasher']);
      return text.split('\n').length === 3 ? text : undefined;
    });
    const [first, attempts] = logs.trim().split('\n');
    expect(first).toBe('attempt 4');
    const times = JSON.parse(attempts!) as number[];
    // each wait is at least the back-off (it also includes the previous run)
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(10_000 * BACKOFF_SCALE);
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(20_000 * BACKOFF_SCALE);
    expect(await cluster.kubectlOk(['logs', 'crasher', '--previous'])).toBe('attempt 3\nfailing\n');
    // events are posted asynchronously: wait for the fourth start to be recorded
    const recorded = await waitFor('4 Started events', async () => {
      const all = await events('crasher');
      return all.filter((e) => e === 'Normal Started: Started container main').length === 4 ? all : undefined;
    });
    expect(recorded).toContain(`Warning BackOff: Back-off restarting failed container main in pod crasher_${NS}(${settled.metadata.uid})`);
    expect(await cluster.kubectlOk(['describe', 'pod', 'crasher'])).toMatch(/Warning\s+BackOff\s+\S+\s+kubelet\s+spec\.containers\{main\}: Back-off restarting failed container main in pod crasher_/);
    expect(await cluster.kubectlOk(['logs', 'crasher', '--tail=1'])).toBe(`${attempts}\n`);
  });

  it('holds a container whose ConfigMap is missing in CreateContainerConfigError, naming it, and starts it once the ConfigMap exists', async () => {
    await apply(
      nodePod('needs-config', `console.log(process.env.MODE)`, {
        spec: { restartPolicy: 'Never' },
        container: { env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'late-config', key: 'mode' } } }] },
      }),
    );
    const blocked = await podWhere('needs-config', 'blocked', configError);
    expect(main(blocked).state).toEqual({ waiting: { reason: 'CreateContainerConfigError', message: 'configmap "late-config" not found' } });
    expect(blocked.status!.phase).toBe('Pending');
    await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late-config' }, data: { mode: 'streaming' } });
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'args-only' }, spec: { containers: [{ name: 'main', image: 'registry.example.com/jobs:1', args: ['taskmanager'] }] } });
    const noCommand = await podWhere('args-only', 'blocked', configError);
    expect(main(noCommand).state).toEqual({
      waiting: {
        reason: 'CreateContainerConfigError',
        message: 'container "main" has no command: the sandbox kubelet does not pull images, so it cannot know the ENTRYPOINT of "registry.example.com/jobs:1"; set command (and args)',
      },
    });
    const done = await podWhere('needs-config', 'finished', finished);
    expect({ phase: done.status!.phase, logs: await cluster.kubectlOk(['logs', 'needs-config']) }).toEqual({ phase: 'Succeeded', logs: 'streaming\n' });
  });

  it('runs the process as securityContext.runAsUser/runAsGroup and honours a startup probe before readiness', async () => {
    const script = `
      console.log(process.getuid() + ':' + process.getgid());
      setTimeout(() => require('net').createServer(() => {}).listen(9000, process.env.POD_IP), 1500);`;
    await apply(
      nodePod('slow-start', script, {
        spec: { securityContext: { runAsUser: 1000 } },
        container: {
          securityContext: { runAsGroup: 3000 },
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
          startupProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1, failureThreshold: 10 },
        },
      }),
    );
    const starting = await podWhere('slow-start', 'Running, not yet started', (p) => p.status?.phase === 'Running');
    expect(main(starting)).toMatchObject({ started: false, ready: false });
    const started = await podWhere('slow-start', 'started', (p) => main(p).started === true);
    expect(main(started)).toMatchObject({ started: true, ready: true, restartCount: 0 });
    expect(await cluster.kubectlOk(['logs', 'slow-start'])).toBe('1000:3000\n');
  });

  it('kubectl logs -f follows a running container until it exits', async () => {
    const script = `let i = 0; const t = setInterval(() => { console.log('line ' + ++i); if (i === 8) { clearInterval(t); } }, 250);`;
    await apply(nodePod('talker', script, { spec: { restartPolicy: 'Never' } }));
    await podWhere('talker', 'Running', (p) => p.status?.phase === 'Running');
    const followed = await cluster.kubectlOk(['logs', '-f', 'talker']);
    expect(followed).toBe([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `line ${i}\n`).join(''));
  });

  it('restarts a container whose liveness probe (exec, inside the container) fails', async () => {
    const script = `
      const fs = require('fs');
      fs.writeFileSync('/data/healthy', '');
      console.log('started');
      setTimeout(() => fs.rmSync('/data/healthy'), 1000);
      setInterval(() => {}, 1000);`;
    await apply(
      nodePod('unhealthy', script, {
        spec: { terminationGracePeriodSeconds: 1, volumes: [{ name: 'data', emptyDir: {} }] },
        container: {
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          livenessProbe: { exec: { command: ['test', '-f', '/data/healthy'] }, periodSeconds: 1, failureThreshold: 2 },
        },
      }),
    );
    const restarted = await podWhere('unhealthy', 'restarted by liveness', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    expect(main(restarted).lastState.terminated).toMatchObject({ exitCode: 143, signal: 15, reason: 'Error' });
    expect(await cluster.kubectlOk(['logs', 'unhealthy', '--previous'])).toBe('started\n');
    const recorded = await waitFor('Killing event', async () => {
      const all = await events('unhealthy');
      return all.some((e) => e.includes('Killing')) ? all : undefined;
    });
    expect(recorded).toContain('Warning Unhealthy: Liveness probe failed');
    expect(recorded).toContain('Normal Killing: Container main failed liveness probe, will be restarted');
  });

  it("kill-pod (the kubelet's HTTPS endpoint, called with the admin certificate) SIGKILLs the process and the kubelet restarts it", async () => {
    await apply(nodePod('victim', `console.log('up'); setInterval(() => {}, 1000);`));
    const running = await podWhere('victim', 'Running', (p) => p.status?.phase === 'Running');
    const pid = containerPid(running);
    expect(alive(pid)).toBe(true);
    expect(await cluster.killPod('victim')).toBe(1);
    const restarted = await podWhere('victim', 'restarted', (p) => main(p).restartCount === 1 && 'running' in main(p).state);
    expect(main(restarted).lastState.terminated).toMatchObject({ exitCode: 137, signal: 9, reason: 'Error' });
    expect(alive(pid)).toBe(false);
    await expect(cluster.killPod('no-such-pod')).rejects.toThrow(`kill-pod ${NS}/no-such-pod: pod ${NS}/no-such-pod is not running on this node`);
  });

  it('runs init containers in order before the app containers, and serves each container\'s logs', async () => {
    const container = (name: string, script: string) => ({ name, image: 'sluice/runtime:test', command: ['node', '-e', script], volumeMounts: [{ name: 'work', mountPath: '/work-dir' }] });
    const append = (text: string) => `require('fs').appendFileSync('/work-dir/order', '${text}\\n'); console.log('${text}');`;
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'staged' },
      spec: {
        restartPolicy: 'Never',
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [container('init-1', append('init-1')), container('init-2', append('init-2'))],
        containers: [
          container('app-a', `${append('app-a')} console.log(require('fs').readFileSync('/work-dir/order', 'utf8').split('\\n').slice(0, 2).join(','));`),
          container('app-b', append('app-b')),
        ],
      },
    });
    const done = await podWhere('staged', 'finished', finished);
    expect(done.status!.phase).toBe('Succeeded');
    expect(done.status!.initContainerStatuses!.map((c) => [c.name, c.ready, 'terminated' in c.state && c.state.terminated.exitCode])).toEqual([
      ['init-1', true, 0],
      ['init-2', true, 0],
    ]);
    expect(await cluster.kubectlOk(['logs', 'staged', '-c', 'init-2'])).toBe('init-2\n');
    expect(await cluster.kubectlOk(['logs', 'staged', '-c', 'app-a'])).toBe('app-a\ninit-1,init-2\n');
    expect(await cluster.kubectlOk(['logs', 'staged', '-c', 'app-b'])).toBe('app-b\n');

    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'init-fails' },
      spec: { restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'x', command: ['node', '-e', 'process.exit(4)'] }], containers: [{ name: 'app', image: 'x', command: ['node', '-e', ''] }] },
    });
    const failed = await podWhere('init-fails', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(failed.status!.initContainerStatuses![0]!.state).toMatchObject({ terminated: { exitCode: 4, reason: 'Error' } });
    expect(main(failed).state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(failed.status!.conditions!.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized' });
  });

  it('restartPolicy Never: a failing container leaves the pod Failed with its exit code; OnFailure: success is Succeeded', async () => {
    await apply(nodePod('fails', `process.exit(7)`, { spec: { restartPolicy: 'Never' } }));
    await apply(nodePod('succeeds', `console.log('done')`, { spec: { restartPolicy: 'OnFailure' } }));
    const failed = await podWhere('fails', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(main(failed)).toMatchObject({ restartCount: 0, ready: false, state: { terminated: { exitCode: 7, reason: 'Error' } } });
    expect(condition(failed, 'Ready')).toBe('False');
    const succeeded = await podWhere('succeeds', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    expect(main(succeeded)).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
  });

  it('reports the termination message: the file at terminationMessagePath (last 4096 bytes), with FallbackToLogsOnError the log tail of a failed container that wrote none', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const never = { restartPolicy: 'Never', securityContext: { runAsUser: 1000 } };
    await apply(nodePod('last-words', `require('fs').writeFileSync('/dev/termination-log', 'a'.repeat(4000) + 'b'.repeat(1000))`, { spec: never }));
    await apply(nodePod('own-path', `require('fs').writeFileSync('/tmp/verdict', '{"safe":false}'); console.log('noise'); process.exit(3)`, {
      spec: never,
      container: { terminationMessagePath: '/tmp/verdict', terminationMessagePolicy: 'FallbackToLogsOnError' },
    }));
    await apply(nodePod('log-tail', `console.log(${JSON.stringify(lines.join('\n'))}); process.exit(3)`, { spec: never, container: { terminationMessagePolicy: 'FallbackToLogsOnError' } }));
    await apply(nodePod('file-only', `console.log('noise'); process.exit(3)`, { spec: never }));
    const terminated = async (name: string) => main(await podWhere(name, 'ended', finished)).state as { terminated: { exitCode: number; message?: string } };
    expect((await terminated('last-words')).terminated).toMatchObject({ exitCode: 0, message: 'a'.repeat(3096) + 'b'.repeat(1000) });
    expect((await terminated('own-path')).terminated).toMatchObject({ exitCode: 3, message: '{"safe":false}' });
    expect((await terminated('log-tail')).terminated).toMatchObject({ exitCode: 3, message: `${lines.slice(20).join('\n')}\n` });
    const fileOnly = (await terminated('file-only')).terminated;
    expect(fileOnly.exitCode).toBe(3);
    expect(fileOnly.message).toBeUndefined();
  });

  it('runs postStart, and on deletion the preStop hook, SIGTERM, SIGKILL of the process group after the grace period, then removes the pod object', async () => {
    const record = mkdtempSync(join(tmpdir(), 'kubelet-record-'));
    chmodSync(record, 0o777);
    try {
      const script = `
        const fs = require('fs');
        const child = require('child_process').spawn('sleep', ['1000'], { stdio: 'ignore' });
        process.on('SIGTERM', () => fs.appendFileSync('/record/signals', 'TERM\\n'));
        fs.writeFileSync('/record/pids', process.pid + ' ' + child.pid);
        setInterval(() => {}, 1000);`;
      await apply(
        nodePod('doomed', script, {
          spec: { terminationGracePeriodSeconds: 2, volumes: [{ name: 'record', hostPath: { path: record } }] },
          container: {
            volumeMounts: [{ name: 'record', mountPath: '/record' }],
            lifecycle: {
              postStart: { exec: { command: ['sh', '-c', 'echo postStart >> /record/signals'] } },
              preStop: { exec: { command: ['sh', '-c', 'echo preStop >> /record/signals'] } },
            },
          },
        }),
      );
      await podWhere('doomed', 'Running', (p) => p.status?.phase === 'Running');
      await waitFor('postStart ran', () => (existsSync(join(record, 'signals')) ? true : undefined)).catch(async (e) => {
        throw new Error(`${e.message}; kubelet events: ${(await events('doomed')).join('; ')}; pod: ${JSON.stringify((await cluster.pod('doomed'))?.status)}`);
      });
      const pids = await waitFor('pids recorded', () => (existsSync(join(record, 'pids')) ? readFileSync(join(record, 'pids'), 'utf8').split(' ').map(Number) : undefined));
      expect(pids.every(alive)).toBe(true);
      const started = Date.now();
      await cluster.kubectlOk(['delete', 'pod', 'doomed', '--wait=true']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
      expect(readFileSync(join(record, 'signals'), 'utf8')).toBe('postStart\npreStop\nTERM\n');
      expect(pids.some(alive)).toBe(false);
      expect(await cluster.pod('doomed')).toBeUndefined();
      const get = await cluster.kubectl(['get', 'pod', 'doomed']);
      expect(get.stderr.trim()).toBe('Error from server (NotFound): pods "doomed" not found');
    } finally {
      rmSync(record, { recursive: true, force: true });
    }
  });
});
