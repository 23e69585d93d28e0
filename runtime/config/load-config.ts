import { Value } from '@sinclair/typebox/value';
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { applyDefaults } from './apply-defaults.ts';
import { ConfigError } from './config-error.ts';
import { constraintProblems } from './config-constraints.ts';
import { describeProblems } from './config-problems.ts';
import { FRAME_SIZE_PER_BUFFER_SIZE, SluiceConfigSchema } from './config-schema.ts';
import type { SluiceConfig } from './config-schema.ts';
import { isDuration } from './duration.ts';
import { readEnvOverrides } from './env-overrides.ts';
import { isPlainObject } from './json-schema.ts';
import type { JsonSchema } from './json-schema.ts';
import { isSize } from './size.ts';

/** The environment variable naming the configuration file when `--config` is not given. */
export const CONFIG_FILE_ENV = 'SLUICE_CONFIG';

export interface LoadConfigOptions {
  /** A YAML or JSON file; default: the file SLUICE_CONFIG names; neither: defaults and environment only. */
  readonly file?: string;
  /** Where SLUICE_* variables are read; default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from the caller (e.g. command-line flags), shaped like the file; they win over file and environment. */
  readonly overrides?: Record<string, unknown>;
}

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
ajv.addFormat('duration', isDuration);
ajv.addFormat('size', isSize);
const validate = ajv.compile(SluiceConfigSchema);

/**
 * Loads a process's configuration: defaults, then the file, then SLUICE_* environment variables,
 * then `overrides`. Throws a ConfigError listing every unknown or invalid key.
 */
export function loadConfig(options: LoadConfigOptions = {}): SluiceConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env[CONFIG_FILE_ENV];
  const fromFile = file === undefined || file === '' ? {} : readConfigFile(file);
  const fromEnv = readEnvOverrides(SluiceConfigSchema as JsonSchema, env);
  if (fromEnv.problems.length > 0) throw new ConfigError(fromEnv.problems);
  const merged = merge(merge(fromFile, fromEnv.values), options.overrides ?? {});
  return resolveConfig(merged, { envSources: fromEnv.sources, defaultTaskManagerId: `${hostname()}-${process.pid}` });
}

export interface ResolveContext {
  /** Dotted key → environment variable that set it, named in errors. */
  readonly envSources?: ReadonlyMap<string, string>;
  readonly defaultTaskManagerId?: string;
}

/** Defaults, validation and decoding of an already merged configuration object; pure. */
export function resolveConfig(input: unknown, context: ResolveContext = {}): SluiceConfig {
  const withDefaults = applyDefaults(SluiceConfigSchema as JsonSchema, input);
  if (!validate(withDefaults)) {
    throw new ConfigError(describeProblems(validate.errors ?? [], SluiceConfigSchema as JsonSchema, withDefaults, context.envSources ?? new Map()));
  }
  const decoded = Value.Decode(SluiceConfigSchema, withDefaults);
  const broken = constraintProblems(decoded);
  if (broken.length > 0) throw new ConfigError(broken);
  return {
    ...decoded,
    job: { ...decoded.job, id: decoded.job.id ?? decoded.job.name },
    taskmanager: { ...decoded.taskmanager, id: decoded.taskmanager.id ?? context.defaultTaskManagerId ?? 'taskmanager' },
    network: { ...decoded.network, maxFrameSize: decoded.network.maxFrameSize ?? FRAME_SIZE_PER_BUFFER_SIZE * decoded.network.bufferSize },
  };
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read config file ${file}: ${(error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError([`config file ${file} is not valid YAML or JSON: ${(error as Error).message}`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) throw new ConfigError([`config file ${file} must hold a mapping of config keys, got ${Array.isArray(parsed) ? 'a list' : typeof parsed}`]);
  return parsed;
}

/** `over` wins; nested mappings merge, anything else is replaced whole. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? merge(current, value) : value;
  }
  return result;
}
