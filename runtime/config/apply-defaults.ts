import { isObjectUnion, isPlainObject } from './json-schema.ts';
import type { JsonSchema } from './json-schema.ts';
import { selectBranch } from './union-branch.ts';

/**
 * Returns `value` with the schema's defaults filled in, recursively, without changing the input.
 * Inside a union, the defaults of the branch the value selects apply (which ajv's `useDefaults`
 * cannot do). Sections have `{}` as default, so a missing section gets all its defaults.
 */
export function applyDefaults(schema: JsonSchema, value: unknown): unknown {
  const given = value === undefined && schema.default !== undefined ? structuredClone(schema.default) : value;
  if (isObjectUnion(schema)) {
    const branch = selectBranch(schema.anyOf, given);
    return branch < 0 ? given : applyDefaults(schema.anyOf[branch]!, given);
  }
  if (schema.properties === undefined || !isPlainObject(given)) return given;
  const result: Record<string, unknown> = { ...given };
  for (const [key, property] of Object.entries(schema.properties)) {
    const filled = applyDefaults(property, result[key]);
    if (filled !== undefined) result[key] = filled;
  }
  return result;
}
