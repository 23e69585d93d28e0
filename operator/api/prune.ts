import type { OpenApiSchema } from './openapi-schema.ts';

/**
 * Kubernetes' pruning of unknown fields: what the API server drops from a custom resource before
 * defaulting and validation. Ajv's `removeAdditional` cannot express it (it also drops fields an
 * `additionalProperties` schema allows), hence this walk.
 *
 * Removes, in place, every object field the schema does not declare; returns `value`.
 */
export function pruneUnknownFields<T>(value: T, schema: OpenApiSchema): T {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) pruneUnknownFields(item, schema.items);
    return value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  for (const key of Object.keys(record)) {
    const child = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (child) pruneUnknownFields(record[key], child);
    else if (!preserve) delete record[key];
  }
  return value;
}
