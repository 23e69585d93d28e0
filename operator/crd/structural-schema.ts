import { kubernetesAjv } from '../api/kubernetes-ajv.ts';
import type { OpenApiSchema } from '../api/openapi-schema.ts';
import { pruneUnknownFields } from '../api/prune.ts';

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const JUNCTORS = ['allOf', 'anyOf', 'oneOf', 'not'] as const;
/** JSONSchemaProps fields that apiextensions.k8s.io/v1 accepts ($ref, patternProperties, const, ... are not among them). */
const KEYWORDS = new Set([
  'description', 'type', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum', 'maxProperties',
  'minProperties', 'required', 'items', 'allOf', 'oneOf', 'anyOf', 'not', 'properties', 'additionalProperties',
  'example', 'nullable', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);
/** Inside a logical junctor only value validations may appear. */
const FORBIDDEN_IN_JUNCTOR = ['description', 'type', 'default', 'additionalProperties', 'nullable', 'title'];
const INT_OR_STRING_ANY_OF = [{ type: 'integer' }, { type: 'string' }];

/**
 * Checks the rules Kubernetes applies to a CRD's openAPIV3Schema (apiextensions.k8s.io/v1, "structural
 * schema", defaulting and list types), so a schema the API server would refuse never gets generated.
 * Returns one message per violation, each naming the schema path.
 */
export function structuralSchemaViolations(root: OpenApiSchema): string[] {
  const violations: string[] = [];
  if (root.type !== 'object') violations.push('<root>: type must be object');
  if (root.default !== undefined) violations.push('<root>: default is not allowed');
  const metadata = root.properties?.['metadata'];
  if (metadata) checkMetadata(metadata, violations);
  checkNode(root, '<root>', violations);
  return violations;
}

function checkNode(node: OpenApiSchema, path: string, violations: string[]): void {
  for (const key of Object.keys(node)) if (!KEYWORDS.has(key)) violations.push(`${path}: keyword ${key} is not allowed`);
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.type === undefined && !intOrString && !preserveUnknown) violations.push(`${path}: type must be set`);
  if (node.type !== undefined && !TYPES.has(node.type)) violations.push(`${path}: unknown type ${node.type}`);
  if (node.nullable !== undefined && node.type === undefined) violations.push(`${path}: nullable needs a type`);
  if (node.properties && node.additionalProperties !== undefined) violations.push(`${path}: properties and additionalProperties are mutually exclusive`);
  if (typeof node.additionalProperties === 'boolean') violations.push(`${path}: additionalProperties must be a schema, not a boolean`);
  if (node.uniqueItems === true) violations.push(`${path}: uniqueItems: true is not allowed`);
  if (node.type === 'array' && !node.items) violations.push(`${path}: an array needs items`);
  if (node.type !== 'object' && (node.properties || node.additionalProperties)) violations.push(`${path}: properties on a ${node.type ?? 'typeless'} node`);
  if (intOrString) checkIntOrString(node, path, violations);
  if (preserveUnknown && node.type !== undefined && node.type !== 'object') violations.push(`${path}: x-kubernetes-preserve-unknown-fields on a non-object`);
  if (node.enum) checkEnum(node, path, violations);
  if (node['x-kubernetes-list-type'] !== undefined) checkListType(node, path, violations);
  if (node.default !== undefined) checkDefault(node, path, violations);
  for (const [name, child] of Object.entries(node.properties ?? {})) checkNode(child, `${path}.${name}`, violations);
  if (typeof node.additionalProperties === 'object') checkNode(node.additionalProperties, `${path}[*]`, violations);
  if (node.items) checkNode(node.items, `${path}[]`, violations);
  for (const junctor of JUNCTORS) {
    const branches = junctor === 'not' ? (node.not ? [node.not] : []) : (node[junctor] ?? []);
    if (intOrString && junctor === 'anyOf') continue;
    branches.forEach((branch, i) => checkJunctorBranch(branch, node, `${path}.${junctor}[${i}]`, violations));
  }
}

function checkJunctorBranch(branch: OpenApiSchema, outer: OpenApiSchema, path: string, violations: string[]): void {
  for (const key of Object.keys(branch)) {
    if (FORBIDDEN_IN_JUNCTOR.includes(key) || key.startsWith('x-kubernetes-')) violations.push(`${path}: ${key} is not allowed inside a junctor`);
  }
  for (const name of [...Object.keys(branch.properties ?? {}), ...(branch.required ?? [])]) {
    if (!outer.properties?.[name]) violations.push(`${path}: field ${name} must also be specified outside the junctor`);
  }
  if (branch.items && !outer.items) violations.push(`${path}: items must also be specified outside the junctor`);
  for (const [name, child] of Object.entries(branch.properties ?? {})) {
    const outerChild = outer.properties?.[name];
    if (outerChild) checkJunctorBranch(child, outerChild, `${path}.${name}`, violations);
  }
}

function checkIntOrString(node: OpenApiSchema, path: string, violations: string[]): void {
  if (node.type !== undefined) violations.push(`${path}: x-kubernetes-int-or-string must not have a type`);
  if (node.anyOf !== undefined && JSON.stringify(node.anyOf) !== JSON.stringify(INT_OR_STRING_ANY_OF)) {
    violations.push(`${path}: x-kubernetes-int-or-string allows only anyOf [integer, string]`);
  }
}

function checkEnum(node: OpenApiSchema, path: string, violations: string[]): void {
  const expected = node.type === 'integer' || node.type === 'number' ? 'number' : node.type;
  for (const value of node.enum ?? []) {
    if (expected !== undefined && typeof value !== expected) violations.push(`${path}: enum value ${JSON.stringify(value)} is not a ${node.type}`);
  }
}

function checkListType(node: OpenApiSchema, path: string, violations: string[]): void {
  const listType = node['x-kubernetes-list-type'];
  if (node.type !== 'array') violations.push(`${path}: x-kubernetes-list-type on a non-array`);
  if (listType === 'map') {
    const keys = node['x-kubernetes-list-map-keys'];
    const item = node.items;
    if (!Array.isArray(keys) || keys.length === 0) violations.push(`${path}: list-type map needs x-kubernetes-list-map-keys`);
    if (item?.type !== 'object') violations.push(`${path}: list-type map needs object items`);
    for (const key of Array.isArray(keys) ? (keys as string[]) : []) {
      const keySchema = item?.properties?.[key];
      if (!keySchema || keySchema.type === 'object' || keySchema.type === 'array') violations.push(`${path}: map key ${key} must be a scalar field of the items`);
      else if (!item?.required?.includes(key) && keySchema.default === undefined) violations.push(`${path}: map key ${key} must be required or defaulted`);
    }
  } else if (listType !== 'atomic' && listType !== 'set') {
    violations.push(`${path}: unknown x-kubernetes-list-type ${String(listType)}`);
  }
}

const defaulting = kubernetesAjv({ useDefaults: true });

/** A default must survive pruning unchanged and, once its own fields are defaulted, validate. */
function checkDefault(node: OpenApiSchema, path: string, violations: string[]): void {
  const { default: value, ...schema } = node;
  // Pruning only deletes keys, so equal JSON means nothing was pruned.
  const pruned = pruneUnknownFields(structuredClone(value), schema);
  if (JSON.stringify(pruned) !== JSON.stringify(value)) violations.push(`${path}: default ${JSON.stringify(value)} holds fields the schema prunes`);
  const defaulted = structuredClone(value);
  if (!defaulting.validate(schema, defaulted)) {
    violations.push(`${path}: default ${JSON.stringify(value)} does not validate: ${defaulting.errorsText(defaulting.errors)}`);
  }
}

function checkMetadata(metadata: OpenApiSchema, violations: string[]): void {
  for (const key of Object.keys(metadata)) {
    if (key !== 'type' && key !== 'properties' && key !== 'description') violations.push(`<root>.metadata: ${key} is not allowed`);
  }
  for (const [name, child] of Object.entries(metadata.properties ?? {})) {
    if (name !== 'name' && name !== 'generateName') violations.push(`<root>.metadata.${name}: only name and generateName may be restricted`);
    if (child.type !== 'string') violations.push(`<root>.metadata.${name}: type must be string`);
    if (child.default !== undefined) violations.push(`<root>.metadata.${name}: default is not allowed`);
  }
}
