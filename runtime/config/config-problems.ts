import type { ErrorObject } from 'ajv';
import { parseDuration } from './duration.ts';
import { isObjectUnion } from './json-schema.ts';
import type { JsonSchema } from './json-schema.ts';
import { parseSize } from './size.ts';
import { describeBranches, selectBranch } from './union-branch.ts';

/**
 * Turns ajv's errors into one line per wrong key: the dotted key path, what is wrong, the value
 * given, and the environment variable that gave it. Errors from union branches the value did not
 * select are noise and dropped; a value that selects no branch gets one line saying what would.
 */
export function describeProblems(
  errors: readonly ErrorObject[],
  schema: JsonSchema,
  data: unknown,
  envSources: ReadonlyMap<string, string>,
): string[] {
  const problems: string[] = [];
  for (const error of errors) {
    const problem = describe(error, schema, data);
    if (problem === null) continue;
    const source = envSources.get(problem.key);
    const line = `${problem.text}${source === undefined ? '' : ` (from ${source})`}`;
    if (!problems.includes(line)) problems.push(line);
  }
  return problems;
}

function describe(error: ErrorObject, root: JsonSchema, data: unknown): { key: string; text: string } | null {
  const path = error.instancePath.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const key = path.join('.');
  const union = enclosingUnion(error.schemaPath, root, data);
  if (union !== null) {
    const isSummary = error.keyword === 'anyOf' && error.schemaPath === `${union.schemaPath}/anyOf`;
    if (union.selected < 0) {
      if (!isSummary) return null;
      const { key: discriminator, expected, got } = describeBranches(union.schema.anyOf!, union.value);
      const unionKey = [...union.path, ...(discriminator === null ? [] : [discriminator])].join('.');
      return { key: unionKey, text: `config key "${unionKey}": ${expected} (got ${show(got)})` };
    }
    if (isSummary || union.branch !== union.selected) return null;
  } else if (error.keyword === 'const') {
    // A literal among a union of literals; the enclosing anyOf error says it all.
    return null;
  }
  const parent = error.parentSchema as JsonSchema | undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = [...path, (error.params as { additionalProperty: string }).additionalProperty].join('.');
      return { key: unknown, text: `unknown config key "${unknown}"` };
    }
    case 'required': {
      const missing = [...path, (error.params as { missingProperty: string }).missingProperty].join('.');
      return { key: missing, text: `missing config key "${missing}"` };
    }
    case 'format':
      return { key, text: `config key "${key}": ${formatMessage(String(error.data), (error.params as { format: string }).format)}` };
    case 'type':
      if (parent?.format === 'duration' || parent?.format === 'size') {
        const example = parent.format === 'duration' ? '"10s"' : '"32kb"';
        return { key, text: `config key "${key}": must be a ${parent.format} string such as ${example} (got ${show(error.data)})` };
      }
      return { key, text: `config key "${key}": must be ${(error.params as { type: string }).type} (got ${show(error.data)})` };
    case 'anyOf': {
      const options = (parent?.anyOf ?? []).map((branch) => JSON.stringify(branch.const)).join(', ');
      return { key, text: `config key "${key}": must be one of ${options} (got ${show(error.data)})` };
    }
    default:
      return { key, text: `config key "${key}": ${error.message ?? error.keyword} (got ${show(error.data)})` };
  }
}

function formatMessage(value: string, format: string): string {
  try {
    if (format === 'duration') parseDuration(value);
    else parseSize(value);
    return `must match format "${format}"`;
  } catch (error) {
    return (error as Error).message;
  }
}

interface EnclosingUnion {
  readonly schemaPath: string;
  readonly schema: JsonSchema;
  readonly path: readonly string[];
  readonly value: unknown;
  /** The branch the error comes from, and the one the value selects (-1: none). */
  readonly branch: number;
  readonly selected: number;
}

/** The object union an error's schema path runs through, if any (the config nests no union in another or in an array). */
function enclosingUnion(schemaPath: string, root: JsonSchema, data: unknown): EnclosingUnion | null {
  const segments = schemaPath.split('/').slice(1);
  const path: string[] = [];
  let schema = root;
  let value = data;
  for (let i = 0; i < segments.length; i++) {
    if (segments[i] === 'anyOf') {
      if (!isObjectUnion(schema)) return null;
      const branch = i + 1 < segments.length ? Number(segments[i + 1]) : -1;
      return {
        schemaPath: `#/${segments.slice(0, i).join('/')}`,
        schema,
        path,
        value,
        branch,
        selected: selectBranch(schema.anyOf, value),
      };
    }
    if (segments[i] === 'properties') {
      const key = segments[++i]!;
      schema = schema.properties?.[key] ?? {};
      value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
      path.push(key);
    }
  }
  return null;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
