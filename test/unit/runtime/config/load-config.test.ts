import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, SluiceConfigSchema, envName, loadConfig, resolveConfig } from '../../../../runtime/config/index.ts';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The problems a configuration is rejected with. */
function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('applies every default when nothing is given', () => {
    expect(loadConfig({ env: {} })).toEqual({
      job: { id: 'job', name: 'job', namespace: 'default', args: [], allowNonRestoredState: false, parallelism: 1, maxParallelism: 128 },
      jobmanager: { address: 'localhost', rpcPort: 6123, restPort: 8081, bindAddress: '0.0.0.0' },
      taskmanager: { id: expect.stringMatching(/^.+-\d+$/), bindAddress: '0.0.0.0', dataPort: 6121, slots: 1 },
      network: {
        bufferSize: 32_768,
        bufferRecords: 4096,
        bufferTimeout: 10,
        creditsPerChannel: 4,
        maxQueuedBuffers: 4,
        maxFrameSize: 262_144,
        connectTimeout: 10_000,
        maxUnregisteredChannels: 1024,
      },
      heartbeat: { interval: 1000, timeout: 5000 },
      restartStrategy: { type: 'exponential-delay', initialDelay: 1000, maxDelay: 60_000, backoffMultiplier: 2, resetBackoffThreshold: 3_600_000 },
      checkpointing: { mode: 'exactly-once', timeout: 600_000, minPause: 0, retained: 3, storage: { filesystem: { path: 'checkpoints' } } },
      security: { auth: 'enabled', handshakeTimeout: 10_000, maxUnauthenticatedConnections: 32 },
      logging: { level: 'info' },
    });
  });

  it('derives network.maxFrameSize from network.bufferSize unless given', () => {
    expect(resolveConfig({ network: { bufferSize: '1mb' } }).network.maxFrameSize).toBe(8 * 1024 * 1024);
    expect(resolveConfig({ network: { bufferSize: '1mb', maxFrameSize: '2mb' } }).network.maxFrameSize).toBe(2 * 1024 * 1024);
  });

  it('reads a YAML file named by SLUICE_CONFIG, fills the defaults of the chosen union branches, and lets env win', () => {
    const path = file(
      'config.yaml',
      [
        'job: { name: wordcount, namespace: streaming, entry: jobs/wordcount.js, args: ["--window", "10s"], parallelism: 4 }',
        'jobmanager: { address: wordcount-jm.streaming.svc, rpcPort: 7000 }',
        'taskmanager: { id: tm-0, slots: 2 }',
        'network: { bufferTimeout: 5ms, bufferSize: 64kb }',
        'restartStrategy: { type: fixed-delay, attempts: 10 }',
        'checkpointing:',
        '  interval: 10s',
        '  storage: { s3: { bucket: checkpoints, endpoint: "http://minio.minio:9000", credentialsDirectory: /etc/sluice/s3 } }',
      ].join('\n'),
    );
    const config = loadConfig({
      env: {
        SLUICE_CONFIG: path,
        SLUICE_NETWORK__BUFFER_TIMEOUT: '1ms',
        SLUICE_TASKMANAGER__ADVERTISED_ADDRESS: '127.1.2.3',
        SLUICE_JOB__ARGS: '["--window","1m"]',
        SLUICE_CHECKPOINTING__STORAGE__S3__FORCE_PATH_STYLE: 'true',
        SLUICE_JOB__MAX_PARALLELISM: '256',
        SLUICE_JOB__RESTORE_FROM: 's3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1',
        SLUICE_LOG_LEVEL: 'debug',
        PATH: '/usr/bin',
      },
    });
    expect(config.job).toEqual({
      id: 'wordcount',
      name: 'wordcount',
      namespace: 'streaming',
      entry: 'jobs/wordcount.js',
      args: ['--window', '1m'],
      restoreFrom: 's3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1',
      allowNonRestoredState: false,
      parallelism: 4,
      maxParallelism: 256,
    });
    expect(config.jobmanager).toEqual({ address: 'wordcount-jm.streaming.svc', rpcPort: 7000, restPort: 8081, bindAddress: '0.0.0.0' });
    expect(config.taskmanager).toEqual({ id: 'tm-0', bindAddress: '0.0.0.0', advertisedAddress: '127.1.2.3', dataPort: 6121, slots: 2 });
    expect(config.network.bufferTimeout).toBe(1);
    expect(config.network.bufferSize).toBe(65_536);
    expect(config.restartStrategy).toEqual({ type: 'fixed-delay', attempts: 10, delay: 1000 });
    expect(config.checkpointing).toEqual({
      interval: 10_000,
      mode: 'exactly-once',
      timeout: 600_000,
      minPause: 0,
      retained: 3,
      storage: { s3: { bucket: 'checkpoints', prefix: '', endpoint: 'http://minio.minio:9000', credentialsDirectory: '/etc/sluice/s3', forcePathStyle: true } },
    });
  });

  it('reads JSON from an explicit file path, and overrides (command-line flags) win over everything', () => {
    const path = file('config.json', JSON.stringify({ job: { name: 'j', parallelism: 2 }, restartStrategy: { type: 'none' } }));
    const config = loadConfig({ file: path, env: { SLUICE_JOB__PARALLELISM: '3' }, overrides: { job: { parallelism: 8 } } });
    expect(config.job.parallelism).toBe(8);
    expect(config.restartStrategy).toEqual({ type: 'none' });
  });

  it('lists every unknown key, with its full path', () => {
    const path = file('unknown.yaml', 'jobs: {}\nnetwork: { bufferSise: 1kb }\nrestartStrategy: { type: none, attempts: 3 }\ncheckpointing: { storage: { s3: { bucket: b, secretKey: x } } }');
    expect(problemsOf(() => loadConfig({ file: path, env: {} }))).toEqual([
      'unknown config key "jobs"',
      'unknown config key "network.bufferSise"',
      'unknown config key "restartStrategy.attempts"',
      'unknown config key "checkpointing.storage.s3.secretKey"',
    ]);
  });

  it('names each invalid value, its reason, and the variable it came from', () => {
    const env = {
      SLUICE_NETWORK__BUFFER_TIMEOUT: '10x',
      SLUICE_JOB__PARALLELISM: 'four',
      SLUICE_TASKMANAGER__DATA_PORT: '70000',
      SLUICE_LOGGING__LEVEL: 'loud',
    };
    const overrides = {
      network: { bufferSize: 500, maxFrameSize: '1tb' },
      heartbeat: { interval: '-1s' },
      restartStrategy: { type: 'failure-rate', maxFailuresPerInterval: 0 },
      checkpointing: { mode: 'sometimes', retained: 1.5, storage: { s3: { endpoint: 'minio:9000' } } },
      job: { args: 'not-a-list', name: '' },
    };
    expect(problemsOf(() => loadConfig({ env, overrides }))).toEqual([
      'config key "job.name": must NOT have fewer than 1 characters (got "")',
      'config key "job.args": must be array (got "not-a-list")',
      'config key "job.parallelism": must be integer (got "four") (from SLUICE_JOB__PARALLELISM)',
      'config key "taskmanager.dataPort": must be <= 65535 (got 70000) (from SLUICE_TASKMANAGER__DATA_PORT)',
      'config key "network.bufferSize": must be a size string such as "32kb" (got 500)',
      'config key "network.bufferTimeout": invalid duration "10x": expected a number and a unit (ms, s, m, h, d) giving whole milliseconds, e.g. "500ms" or "10s" (from SLUICE_NETWORK__BUFFER_TIMEOUT)',
      'config key "network.maxFrameSize": invalid size "1tb": expected a number and a unit (b, kb, mb, gb) giving whole bytes, e.g. "32kb"',
      'config key "heartbeat.interval": invalid duration "-1s": expected a number and a unit (ms, s, m, h, d) giving whole milliseconds, e.g. "500ms" or "10s"',
      'config key "restartStrategy.maxFailuresPerInterval": must be >= 1 (got 0)',
      'config key "checkpointing.mode": must be one of "exactly-once", "at-least-once" (got "sometimes")',
      'config key "checkpointing.retained": must be integer (got 1.5)',
      'missing config key "checkpointing.storage.s3.bucket"',
      'config key "checkpointing.storage.s3.endpoint": must match pattern "^https?://[^/]+" (got "minio:9000")',
      'config key "logging.level": must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (got "loud") (from SLUICE_LOGGING__LEVEL)',
    ]);
  });

  it('says which branch a union wants when the value selects none', () => {
    expect(problemsOf(() => resolveConfig({ restartStrategy: { type: 'linear' } }))).toEqual([
      'config key "restartStrategy.type": must be one of "none", "fixed-delay", "exponential-delay", "failure-rate" (got "linear")',
    ]);
    expect(problemsOf(() => resolveConfig({ restartStrategy: 'none' }))).toEqual([
      'config key "restartStrategy": must be an object whose "type" is one of "none", "fixed-delay", "exponential-delay", "failure-rate" (got "none")',
    ]);
    expect(problemsOf(() => resolveConfig({ checkpointing: { storage: { filesystem: { path: '/x' }, s3: { bucket: 'b' } } } }))).toEqual([
      'config key "checkpointing.storage": must hold exactly one of "filesystem", "s3" (got ["filesystem","s3"])',
    ]);
    expect(problemsOf(() => resolveConfig({ checkpointing: { storage: {} } }))).toEqual([
      'config key "checkpointing.storage": must hold exactly one of "filesystem", "s3" (got [])',
    ]);
  });

  it('checks the rules between keys', () => {
    expect(
      problemsOf(() =>
        resolveConfig({
          job: { parallelism: 200, maxParallelism: 128 },
          heartbeat: { interval: '5s', timeout: '5s' },
          network: { bufferSize: '1mb', maxFrameSize: '512kb' },
          restartStrategy: { type: 'exponential-delay', initialDelay: '1m', maxDelay: '30s' },
        }),
      ),
    ).toEqual([
      'config key "job.parallelism": must not exceed job.maxParallelism (128), got 200',
      'config key "heartbeat.timeout": must be longer than heartbeat.interval (5s), got 5s',
      'config key "network.maxFrameSize": must be at least network.bufferSize (1mb), got 512kb',
      'config key "restartStrategy.maxDelay": must be at least restartStrategy.initialDelay (1m), got 30s',
    ]);
  });

  it('rejects environment variables that name no key or a whole section, and bad JSON lists', () => {
    expect(
      problemsOf(() =>
        loadConfig({
          env: { SLUICE_NETWORK__BUFER_SIZE: '1kb', SLUICE_CHECKPOINTING__STORAGE__S3: 'x', SLUICE_JOB__ARGS: '--window 10s', SLUICE_NOPE__X: '1' },
        }),
      ),
    ).toEqual([
      'environment variable SLUICE_CHECKPOINTING__STORAGE__S3: "checkpointing.storage.s3" is a section; set its keys one by one',
      'environment variable SLUICE_JOB__ARGS: expected a JSON array, e.g. ["--window","10s"], got "--window 10s"',
      'environment variable SLUICE_NETWORK__BUFER_SIZE: unknown config key "network.BUFER_SIZE"',
      'environment variable SLUICE_NOPE__X: unknown config key "NOPE"',
    ]);
  });

  it('reports an unreadable, unparsable or misshaped file', () => {
    const missing = join(dir, 'missing.yaml');
    expect(problemsOf(() => loadConfig({ file: missing, env: {} }))).toEqual([`cannot read config file ${missing}: ENOENT: no such file or directory, open '${missing}'`]);
    const broken = file('broken.yaml', 'job: { name: [unclosed');
    expect(problemsOf(() => loadConfig({ file: broken, env: {} }))[0]).toMatch(new RegExp(`^config file ${broken} is not valid YAML or JSON: `));
    const list = file('list.yaml', '- job\n- network');
    expect(problemsOf(() => loadConfig({ file: list, env: {} }))).toEqual([`config file ${list} must hold a mapping of config keys, got a list`]);
    expect(loadConfig({ file: file('empty.yaml', ''), env: {} }).job.name).toBe('job');
  });

  it('formats its error as one line per problem', () => {
    expect(() => resolveConfig({ jobs: 1, network: { slots: 1 } })).toThrow('invalid configuration:\n  - unknown config key "jobs"\n  - unknown config key "network.slots"');
  });

  it('names every key by a variable that maps back to it', () => {
    const leaves: string[] = [];
    const walk = (schema: { properties?: Record<string, unknown>; anyOf?: unknown[] }, path: string[]): void => {
      const branches = (schema.anyOf ?? [schema]) as { properties?: Record<string, unknown> }[];
      for (const branch of branches) {
        for (const [key, child] of Object.entries(branch.properties ?? {})) {
          const inner = child as { properties?: Record<string, unknown>; anyOf?: { type?: string }[] };
          if (inner.properties !== undefined || inner.anyOf?.every((b) => b.type === 'object')) walk(inner, [...path, key]);
          else leaves.push(envName([...path, key]));
        }
      }
    };
    walk(SluiceConfigSchema, []);
    expect(leaves).toContain('SLUICE_CHECKPOINTING__STORAGE__S3__CREDENTIALS_DIRECTORY');
    expect(leaves).toContain('SLUICE_RESTART_STRATEGY__RESET_BACKOFF_THRESHOLD');
    const problems = problemsOf(() => loadConfig({ env: Object.fromEntries(leaves.map((name) => [name, '@'])) }));
    expect(problems.filter((problem) => problem.startsWith('environment variable'))).toEqual([
      'environment variable SLUICE_CHECKPOINTING__OLDER_RUNS__KEEP: expected a JSON array, e.g. ["--window","10s"], got "@"',
      'environment variable SLUICE_JOB__ARGS: expected a JSON array, e.g. ["--window","10s"], got "@"',
    ]);
    // ... and the README documents every one of them.
    const readme = readFileSync(fileURLToPath(new URL('../../../../runtime/config/README.md', import.meta.url)), 'utf8');
    expect(leaves.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
