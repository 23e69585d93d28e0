import type { TSchema } from '@sinclair/typebox';

/**
 * The OpenAPI v3 schema of a TypeBox definition, in the form Kubernetes stores in a CRD.
 *
 * A schema node as it appears on the wire (JSON names, `x-kubernetes-*` extensions included).
 */
export interface OpenApiSchema {
  type?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  required?: string[];
  default?: unknown;
  enum?: unknown[];
  anyOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  allOf?: OpenApiSchema[];
  not?: OpenApiSchema;
  [keyword: string]: unknown;
}

/**
 * Plain JSON (TypeBox's symbol keys dropped) in which a property that has a default is no longer
 * required: the API server fills it in, so a manifest may leave it out. Keys are ordered description,
 * type, ..., default, for people reading the generated CRD.
 */
export function toOpenApiSchema(schema: TSchema): OpenApiSchema {
  return normalize(JSON.parse(JSON.stringify(schema)) as OpenApiSchema);
}

function normalize(node: OpenApiSchema): OpenApiSchema {
  const { description, type, default: defaultValue, ...rest } = node;
  const out: OpenApiSchema = { description, type, ...rest, default: defaultValue };
  for (const key of ['description', 'type', 'default'] as const) if (out[key] === undefined) delete out[key];
  if (node.properties) {
    const properties = Object.entries(node.properties).map(([name, child]) => [name, normalize(child)] as const);
    out.properties = Object.fromEntries(properties);
    const required = (node.required ?? []).filter((name) => node.properties?.[name]?.default === undefined);
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  if (node.items) out.items = normalize(node.items);
  if (typeof node.additionalProperties === 'object') out.additionalProperties = normalize(node.additionalProperties);
  return out;
}
