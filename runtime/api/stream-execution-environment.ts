import { CollectionSource } from '../connectors/collection-source.ts';
import type { AnySource } from '../connectors/source.ts';
import { createJobGraph, type JobGraph } from '../graph/job-graph.ts';
import { generateStreamGraph, type StreamGraph } from '../graph/stream-graph.ts';
import { SourceOperator } from '../operators/source-operator.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { CheckpointingMode } from '../core/checkpointing-mode.ts';
import { DEFAULT_MAX_PARALLELISM } from '../core/key-group.ts';
import { DataStream } from './data-stream.ts';
import type { JobExecutionResult } from './job-execution-result.ts';
import type { JobExecutor } from './job-executor.ts';
import { Transformation, type TransformationKind } from '../graph/transformation.ts';
import type { WatermarkStrategy } from '../functions/watermark-strategy.ts';

export type { CheckpointingMode } from '../core/checkpointing-mode.ts';

export interface CheckpointConfig {
  readonly interval: number;
  readonly mode: CheckpointingMode;
}

const NO_EXECUTOR: JobExecutor = {
  execute: () =>
    Promise.reject(new Error('this environment has no executor: create it with localEnvironment() (runtime/cluster/local-environment.ts) or give one with setExecutor()')),
};

function positiveInteger(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer, got ${n}`);
  return n;
}

/**
 * Where a job is built: sources come from here, and `execute` runs the pipeline. Every process of
 * a job builds the same pipeline from the same module, so building must be deterministic.
 */
export class StreamExecutionEnvironment {
  private readonly transformations: Transformation[] = [];
  private parallelism = 1;
  private maxParallelism = DEFAULT_MAX_PARALLELISM;
  private autoWatermarkInterval = 200;
  private checkpointConfig: CheckpointConfig | undefined;
  private executor: JobExecutor;

  /**
   * `executor` runs the job on `execute`; there is no default, since the API does not know where
   * jobs run: `localEnvironment()` (runtime/cluster/local-environment.ts) runs them in this process,
   * and the `sluice` command gives its own.
   */
  constructor(options: { executor?: JobExecutor } = {}) {
    this.executor = options.executor ?? NO_EXECUTOR;
  }

  static getExecutionEnvironment(): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment();
  }

  setParallelism(parallelism: number): this {
    this.parallelism = positiveInteger('parallelism', parallelism);
    return this;
  }

  getParallelism(): number {
    return this.parallelism;
  }

  /** Number of key groups; fixed for the life of a job's state. */
  setMaxParallelism(maxParallelism: number): this {
    positiveInteger('maxParallelism', maxParallelism);
    if (maxParallelism > 32768) throw new RangeError(`maxParallelism must be at most 32768, got ${maxParallelism}`);
    this.maxParallelism = maxParallelism;
    return this;
  }

  getMaxParallelism(): number {
    return this.maxParallelism;
  }

  /** How often (ms of processing time) periodic watermarks are generated. */
  setAutoWatermarkInterval(ms: number): this {
    this.autoWatermarkInterval = positiveInteger('autoWatermarkInterval', ms);
    return this;
  }

  getAutoWatermarkInterval(): number {
    return this.autoWatermarkInterval;
  }

  enableCheckpointing(intervalMs: number, mode: CheckpointingMode = 'exactly-once'): this {
    positiveInteger('checkpoint interval', intervalMs);
    if (mode !== 'exactly-once' && mode !== 'at-least-once') throw new RangeError(`checkpointing mode must be exactly-once or at-least-once, got ${String(mode)}`);
    this.checkpointConfig = { interval: intervalMs, mode };
    return this;
  }

  getCheckpointConfig(): CheckpointConfig | undefined {
    return this.checkpointConfig;
  }

  setExecutor(executor: JobExecutor): this {
    this.executor = executor;
    return this;
  }

  fromElements<T>(...values: T[]): DataStream<T> {
    return this.fromCollection(values);
  }

  /** A bounded stream of the given values, from one subtask (unless its parallelism is set). */
  fromCollection<T>(values: Iterable<T>): DataStream<T> {
    const source = new CollectionSource<T>([...values]);
    return this.addSource(source, undefined, 'Source: Collection', 1);
  }

  fromSource<T>(source: AnySource<T>, watermarkStrategy: WatermarkStrategy<T>, name: string): DataStream<T> {
    return this.addSource(source, watermarkStrategy, name, undefined);
  }

  /** The pipeline as a StreamGraph (operators, edges, operator ids). */
  getStreamGraph(): StreamGraph {
    if (!this.transformations.some((t) => t.kind === 'source')) throw new Error('the job has no sources: add one with fromElements/fromCollection/fromSource');
    return generateStreamGraph(this.transformations, { parallelism: this.parallelism, maxParallelism: this.maxParallelism });
  }

  /** The pipeline as a JobGraph (operator chains and the edges between them). */
  getJobGraph(jobName = 'Sluice Job'): JobGraph {
    return createJobGraph(jobName, this.getStreamGraph());
  }

  execute(jobName = 'Sluice Job'): Promise<JobExecutionResult> {
    return this.executor.execute(this.getJobGraph(jobName));
  }

  /** @internal Registers a transformation; DataStream methods call this. */
  addTransformation(
    kind: TransformationKind,
    name: string,
    inputs: readonly Transformation[],
    spec: Transformation['spec'],
  ): Transformation {
    const t = new Transformation(this.transformations.length, kind, name, inputs, spec);
    this.transformations.push(t);
    return t;
  }

  private addSource<T>(source: AnySource<T>, strategy: WatermarkStrategy<T> | undefined, name: string, defaultParallelism: number | undefined): DataStream<T> {
    const createOperator = (): StreamOperator => new SourceOperator(source, strategy, this.autoWatermarkInterval);
    return new DataStream<T>(this, this.addTransformation('source', name, [], { createOperator, defaultParallelism }));
  }
}
