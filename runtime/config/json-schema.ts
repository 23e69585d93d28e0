/** The parts of a JSON schema (as typebox builds them) that the config loader walks. */
export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly anyOf?: readonly JsonSchema[];
  readonly items?: JsonSchema;
  readonly const?: unknown;
  readonly default?: unknown;
  readonly format?: string;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A union of object shapes (restart strategy, storage), as opposed to a union of literals. */
export function isObjectUnion(schema: JsonSchema): schema is JsonSchema & { anyOf: readonly JsonSchema[] } {
  return schema.anyOf !== undefined && schema.anyOf.every((branch) => branch.type === 'object');
}

/** The keys a value may have at `schema`: an object's properties, or those of all branches of an object union. */
export function propertiesOf(schema: JsonSchema): Readonly<Record<string, JsonSchema>> | null {
  if (schema.type === 'object' && schema.properties !== undefined) return schema.properties;
  if (!isObjectUnion(schema)) return null;
  return Object.assign({}, ...schema.anyOf.map((branch) => branch.properties ?? {})) as Record<string, JsonSchema>;
}
