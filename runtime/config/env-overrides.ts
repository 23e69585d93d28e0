import { isPlainObject, propertiesOf } from './json-schema.ts';
import type { JsonSchema } from './json-schema.ts';

/**
 * Configuration from environment variables: `SLUICE_` followed by the key path, each key in
 * SCREAMING_SNAKE_CASE, levels separated by a double underscore:
 *
 *   network.bufferTimeout                    SLUICE_NETWORK__BUFFER_TIMEOUT=5ms
 *   checkpointing.storage.s3.bucket          SLUICE_CHECKPOINTING__STORAGE__S3__BUCKET=checkpoints
 *   job.args                                 SLUICE_JOB__ARGS='["--window","10s"]'   (a JSON array)
 *
 * Only `SLUICE_` variables with a double underscore are read as configuration; they must name a
 * key. Others (SLUICE_CONFIG, SLUICE_LOG_LEVEL, the operator's own) are left alone.
 */
export const ENV_PREFIX = 'SLUICE_';
const LEVEL = '__';

/** `maxParallelism` → `MAX_PARALLELISM`. */
export function envSegment(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The variable that sets the key at `path`, e.g. ['network', 'bufferSize'] → SLUICE_NETWORK__BUFFER_SIZE. */
export function envName(path: readonly string[]): string {
  return ENV_PREFIX + path.map(envSegment).join(LEVEL);
}

export interface EnvOverrides {
  /** The values, nested like the configuration file. */
  readonly values: Record<string, unknown>;
  /** Dotted key path → the variable that set it, so that errors can name it. */
  readonly sources: ReadonlyMap<string, string>;
  readonly problems: readonly string[];
}

export function readEnvOverrides(schema: JsonSchema, env: Readonly<Record<string, string | undefined>>): EnvOverrides {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const problems: string[] = [];
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith(ENV_PREFIX) || !name.includes(LEVEL) || raw === undefined) continue;
    const path: string[] = [];
    let node: JsonSchema | undefined = schema;
    for (const segment of name.slice(ENV_PREFIX.length).split(LEVEL)) {
      const properties: Readonly<Record<string, JsonSchema>> | null = node === undefined ? null : propertiesOf(node);
      const key: string | undefined = properties === null ? undefined : Object.keys(properties).find((candidate) => envSegment(candidate) === segment);
      if (key === undefined) {
        node = undefined;
        path.push(segment);
        break;
      }
      path.push(key);
      node = properties![key];
    }
    if (node === undefined) {
      problems.push(`environment variable ${name}: unknown config key "${path.join('.')}"`);
      continue;
    }
    if (propertiesOf(node) !== null) {
      problems.push(`environment variable ${name}: "${path.join('.')}" is a section; set its keys one by one`);
      continue;
    }
    const converted = convert(node, raw);
    if (converted instanceof Error) {
      problems.push(`environment variable ${name}: ${converted.message}`);
      continue;
    }
    setPath(values, path, converted);
    sources.set(path.join('.'), name);
  }
  return { values, sources, problems };
}

/** Text → the type the key wants; a value of the wrong type is left as text for the validator to report. */
function convert(schema: JsonSchema, raw: string): unknown {
  switch (schema.type) {
    case 'integer':
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'array':
      try {
        const parsed: unknown = JSON.parse(raw);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        // reported below
      }
      return new Error(`expected a JSON array, e.g. ["--window","10s"], got ${JSON.stringify(raw)}`);
    default:
      return raw;
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
