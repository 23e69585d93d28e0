/** What a new job project is made of: its name, and where its `sluice` dependency comes from. */
export interface JobProjectOptions {
  /** The project's npm name, the StreamJob's name and the job's folder in the image (a DNS label). */
  readonly name: string;
  /** The version of Sluice this command belongs to: the runtime image's tag. */
  readonly sluiceVersion: string;
  /** The `sluice` dependency of the project's package.json (default `^<sluiceVersion>`; a path or tarball works too). */
  readonly sluiceDependency?: string;
}

/**
 * The files of a new job project (`sluice init`), path → content: an ES-module TypeScript project
 * with a windowed job, its test on the testing API (vitest), the Dockerfile of the job image on the
 * runtime image, and the StreamJob that runs it.
 */
export function jobProjectFiles(options: JobProjectOptions): Map<string, string> {
  const { name, sluiceVersion } = options;
  const files = new Map<string, string>();
  files.set(
    'package.json',
    `${JSON.stringify(
      {
        name,
        version: '0.1.0',
        private: true,
        type: 'module',
        scripts: {
          start: 'sluice run src/job.ts',
          test: 'vitest run',
          typecheck: 'tsc --noEmit',
        },
        dependencies: { sluice: options.sluiceDependency ?? `^${sluiceVersion}` },
        devDependencies: { '@types/node': '^20.19.0', typescript: '~5.9.0', vitest: '^4.1.12' },
      },
      null,
      2,
    )}\n`,
  );
  files.set(
    'tsconfig.json',
    `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          strict: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          verbatimModuleSyntax: true,
          skipLibCheck: true,
        },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
  );
  files.set('.gitignore', 'node_modules/\n');
  files.set('.dockerignore', '*\n!src/\nsrc/**/*.test.ts\n');
  files.set(
    'src/job.ts',
    `import { type DataStream, type StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from 'sluice';

export type Click = { user: string; page: string; time: number };

/** Clicks per user in tumbling windows of 10 s of event time: [user, clicks]. */
export function clicksPerUser(clicks: DataStream<Click>): DataStream<[string, number]> {
  return clicks
    .map((c): [string, number] => [c.user, 1])
    .keyBy(([user]) => user)
    .window(TumblingEventTimeWindows.of(10_000))
    .reduce((a, b) => [a[0], a[1] + b[1]])
    .uid('clicks-per-user');
}

/** The job: \`sluice run src/job.ts\` (or a StreamJob) calls it to build the pipeline; sluice runs it. */
export default (env: StreamExecutionEnvironment) => {
  const clicks = env
    .fromElements<Click>(
      { user: 'ada', page: '/', time: 1_000 },
      { user: 'bob', page: '/docs', time: 2_500 },
      { user: 'ada', page: '/docs', time: 9_000 },
      { user: 'ada', page: '/', time: 12_000 },
    )
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000).withTimestampAssigner((c) => c.time));
  clicksPerUser(clicks).print();
};
`,
  );
  files.set(
    'src/job.test.ts',
    `import { describe, expect, it } from 'vitest';
import { executeAndCollect, executeWithFailover, fromTimedElements, localEnvironment, OneInputStreamOperatorTestHarness, record, watermark } from 'sluice/testing';
import { type Click, clicksPerUser } from './job.ts';

const click = (user: string, time: number): Click => ({ user, page: '/', time });

describe('clicksPerUser', () => {
  it('counts the clicks of each user in each 10 s window, and drops clicks behind the watermark', async () => {
    const env = localEnvironment();
    const clicks = fromTimedElements(env, [
      record(click('ada', 1_000), 1_000),
      record(click('bob', 2_500), 2_500),
      record(click('ada', 9_000), 9_000),
      watermark(9_999),
      record(click('bob', 4_000), 4_000), // late: its window fired at watermark 9999
      record(click('ada', 12_000), 12_000),
    ]);
    const counts = await executeAndCollect(clicksPerUser(clicks));
    expect(counts).toEqual([
      ['ada', 2],
      ['bob', 1],
      ['ada', 1],
    ]);
  });

  it('keeps the open windows of every user across a checkpoint and restore', () => {
    const build = () => OneInputStreamOperatorTestHarness.forStream(clicksPerUser(localEnvironment().fromElements<Click>()));
    const before = build().open();
    before.processElement(['ada', 1], 1_000).processElement(['ada', 1], 2_000).processElement(['bob', 1], 3_000);
    const checkpoint = before.snapshot();
    before.close();

    const after = build().open(checkpoint);
    after.processElement(['ada', 1], 4_000);
    after.processWatermark(9_999);
    expect(after.extractOutputRecords()).toEqual([
      { value: ['ada', 3], timestamp: 9_999 },
      { value: ['bob', 1], timestamp: 9_999 },
    ]);
  });

  it('counts the same when the job fails after a checkpoint and is restored from it', async () => {
    // A click every 100 ms of event time, each followed by a watermark: windows close all along the input.
    const script = Array.from({ length: 20_000 }, (_, i) => [record(click(i % 3 === 0 ? 'bob' : 'ada', i * 100), i * 100), watermark(i * 100)]).flat();
    const counts = () => clicksPerUser(fromTimedElements(localEnvironment(), script));
    const withoutFailure = await executeAndCollect(counts());
    const failover = await executeWithFailover(counts(), { failAfterRecords: 10 });
    expect(failover.writtenAfterRestore).toBeLessThan(withoutFailure.length);
    // Windows of different users that close at the same watermark may fire in either order.
    const sorted = (counts: [string, number][]) => [...counts].sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
    expect(sorted(failover.values)).toEqual(sorted(withoutFailure));
  });
});
`,
  );
  files.set(
    'Dockerfile',
    `# The job image: the Sluice runtime image plus this job's modules, beside the runtime, so that the
# JobManager and TaskManagers the operator starts load src/job.ts as jobs/${name}/job.ts.
#   docker build -t registry.example.com/${name}:0.1.0 .
FROM ghcr.io/sluice-dev/sluice-runtime:${sluiceVersion}
COPY src/ /opt/sluice/jobs/${name}/
`,
  );
  files.set(
    'streamjob.yaml',
    `# The job on Kubernetes, run by the Sluice operator (helm install sluice charts/sluice-operator):
#   kubectl create secret generic minio-creds --from-literal=AWS_ACCESS_KEY_ID=... --from-literal=AWS_SECRET_ACCESS_KEY=...
#   kubectl apply -f streamjob.yaml
#   kubectl get sj ${name}
apiVersion: sluice.dev/v1alpha1
kind: StreamJob
metadata:
  name: ${name}
spec:
  image: registry.example.com/${name}:0.1.0
  job:
    entry: jobs/${name}/job.ts
    parallelism: 2
    upgradeMode: last-state
  # TaskManager pods: ceil(parallelism / slots); kubectl scale sj ${name} --replicas=N rescales the job.
  taskManager:
    slots: 1
  checkpointing:
    interval: 10s
    mode: exactly-once
    storage:
      s3:
        endpoint: http://minio.minio:9000
        bucket: checkpoints
        prefix: ${name}
        region: us-east-1
        forcePathStyle: true
        credentialsSecret: minio-creds
`,
  );
  files.set(
    'README.md',
    `# ${name}

A Sluice job: clicks per user in 10-second windows of event time.

\`\`\`sh
npm install
npm test                    # the job's tests (vitest, sluice/testing)
npx sluice run src/job.ts   # runs it on this machine; output on stdout, logs on stderr
docker build -t registry.example.com/${name}:0.1.0 .   # the job image, on the Sluice runtime image
kubectl apply -f streamjob.yaml                          # runs it on Kubernetes with the Sluice operator
\`\`\`
`,
  );
  return files;
}
