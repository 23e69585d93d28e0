import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { StatusCause } from './api-error.ts';

/** An OpenAPI v3 structural schema as written in a CustomResourceDefinition. */
export interface JsonSchema {
  type?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  default?: unknown;
  enum?: unknown[];
  nullable?: boolean;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  not?: JsonSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  [keyword: string]: unknown;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Drops fields the schema does not specify (Kubernetes "pruning"), returning their paths.
 * The root and embedded resources keep apiVersion, kind and metadata.
 */
export function pruneUnknownFields(value: unknown, schema: JsonSchema, path = '', isRoot = true): string[] {
  const pruned: string[] = [];
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => pruned.push(...pruneUnknownFields(item, schema.items!, `${path}[${i}]`, false)));
    return pruned;
  }
  if (!isObject(value) || schema['x-kubernetes-preserve-unknown-fields'] && !schema.properties && !schema.additionalProperties)
    return pruned;
  const keepMeta = isRoot || schema['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    const child = key === 'metadata' && keepMeta ? undefined : schema.properties?.[key];
    if (keepMeta && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      if (child) pruned.push(...pruneUnknownFields(value[key], child, join(path, key), false));
      continue;
    }
    if (child) pruned.push(...pruneUnknownFields(value[key], child, join(path, key), false));
    else if (isObject(schema.additionalProperties))
      pruned.push(...pruneUnknownFields(value[key], schema.additionalProperties, join(path, key), false));
    else if (schema.additionalProperties === true || schema['x-kubernetes-preserve-unknown-fields']) continue;
    else {
      delete value[key];
      pruned.push(join(path, key));
    }
  }
  return pruned;
}

/** Fills in `default`s for absent properties, top-down, as the apiserver does after pruning. */
export function applyDefaults(value: unknown, schema: JsonSchema): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (value[key] === undefined && child.default !== undefined) value[key] = structuredClone(child.default);
    if (value[key] !== undefined) applyDefaults(value[key], child);
  }
  if (isObject(schema.additionalProperties))
    for (const key of Object.keys(value)) if (!schema.properties?.[key]) applyDefaults(value[key], schema.additionalProperties);
}

// unicodeRegExp off: CRD patterns are RE2 syntax, which JS unicode mode rejects in places (e.g. `\-` in classes).
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true, unicodeRegExp: false });
addFormats.default(ajv);
for (const format of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password', 'quantity', 'duration'])
  ajv.addFormat(format, true);
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/** Validates against the schema; causes name fields the way kube-openapi's validator does. */
export function validateAgainstSchema(value: unknown, schema: JsonSchema): StatusCause[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(toAjvSchema(schema, true) as object);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .filter((e) => e.keyword !== 'anyOf' || !(validate!.errors ?? []).some((o) => o !== e && o.instancePath === e.instancePath))
    .map((e) => causeOf(e, value));
}

function toAjvSchema(schema: JsonSchema, isRoot: boolean): unknown {
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && isObject(v))
      out.properties = Object.fromEntries(
        Object.entries(v)
          .filter(([name]) => !(isRoot && name === 'metadata'))
          .map(([name, s]) => [name, toAjvSchema(s as JsonSchema, false)]),
      );
    else if (k === 'items' || k === 'not' || (k === 'additionalProperties' && isObject(v))) out[k] = toAjvSchema(v as JsonSchema, false);
    else if (k === 'anyOf' || k === 'allOf' || k === 'oneOf') out[k] = (v as JsonSchema[]).map((s) => toAjvSchema(s, false));
    else if (!k.startsWith('x-kubernetes-') && k !== 'default' && k !== 'description' && k !== 'example') out[k] = v;
  }
  if (schema['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }, ...((out.anyOf as unknown[]) ?? [])].slice(0, 2);
  }
  if (schema['x-kubernetes-embedded-resource']) out.required = [...new Set([...((out.required as string[]) ?? []), 'apiVersion', 'kind'])];
  return out;
}

function causeOf(e: ErrorObject, root: unknown): StatusCause {
  const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const field = segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : join(acc, s)), '');
  let value: unknown = root;
  for (const s of segments) value = (value as Json | unknown[] | undefined)?.[s as never];
  const shown = JSON.stringify(value);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const missing = join(field, String(p.missingProperty));
      return { reason: 'FieldValueRequired', field: missing, message: 'Required value' };
    }
    case 'type':
      return {
        reason: 'FieldValueTypeInvalid',
        field,
        message: `Invalid value: "${typeName(value)}": ${field} in body must be of type ${p.type}: ${shown}`,
      };
    case 'enum':
      return {
        reason: 'FieldValueNotSupported',
        field,
        message: `Unsupported value: ${shown}: supported values: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        reason: 'FieldValueInvalid',
        field,
        message: `Invalid value: ${shown}: ${field} in body should be ${boundWord(e.keyword)} ${p.limit}`,
      };
    case 'pattern':
      return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${shown}: ${field} in body should match '${p.pattern}'` };
    default:
      return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${shown}: ${field} in body ${e.message}` };
  }
}

const boundWord = (k: string): string =>
  ({ minimum: 'greater than or equal to', maximum: 'less than or equal to', exclusiveMinimum: 'greater than', exclusiveMaximum: 'less than' })[k]!;

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v);

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
