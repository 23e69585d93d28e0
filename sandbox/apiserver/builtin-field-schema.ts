import * as models from '@kubernetes/client-node';

/**
 * The field structure of built-in kinds, read from @kubernetes/client-node's generated models
 * (`V1Deployment.getAttributeTypeMap()` and so on, generated from Kubernetes' OpenAPI). Kubernetes
 * decodes built-in objects into Go structs, so unknown fields never survive: this finds and drops
 * them, returning their paths for `fieldValidation` (Strict: error, Warn: warning), and nulls
 * become absent fields.
 */
interface Attribute {
  baseName: string;
  type: string;
  format: string;
}

export interface BuiltinFieldCheck {
  /** Paths of fields the kind does not have (already removed from the object). */
  unknown: string[];
  /** Decoding errors, worded like Go's encoding/json (the apiserver's decoder). */
  mistyped: string[];
}

type J = Record<string, unknown>;
const isObject = (v: unknown): v is J => v !== null && typeof v === 'object' && !Array.isArray(v);
const attributeCache = new Map<string, Map<string, Attribute> | null>();
/** resource.Quantity fields the models describe as strings, which also decode from JSON numbers. */
const quantityFields = new Set(['sizeLimit']);

function attributesOf(typeName: string): Map<string, Attribute> | null {
  let attrs = attributeCache.get(typeName);
  if (attrs === undefined) {
    const model = (models as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>)[typeName];
    attrs = model?.getAttributeTypeMap ? new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a])) : null;
    attributeCache.set(typeName, attrs);
  }
  return attrs;
}

/** client-node's model name of a built-in kind (core Events are `CoreV1Event`). */
const modelOf = (kind: string): string => (kind === 'Event' ? 'CoreV1Event' : `V1${kind}`);

export function hasBuiltinModel(kind: string): boolean {
  return attributesOf(modelOf(kind)) !== null;
}

/** Removes fields unknown to the kind and reports values of the wrong JSON type. */
export function checkBuiltinFields(kind: string, obj: J): BuiltinFieldCheck {
  const result: BuiltinFieldCheck = { unknown: [], mistyped: [] };
  walk(obj, modelOf(kind), '', '', result);
  return result;
}

function walk(value: unknown, type: string, path: string, goPath: string, out: BuiltinFieldCheck): void {
  if (type.startsWith('Array<') && type.endsWith('>')) {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, type.slice(6, -1), `${path}[${i}]`, goPath, out));
    return;
  }
  if (type.startsWith('{ [key: string]: ')) {
    const inner = type.slice('{ [key: string]: '.length, -'; }'.length);
    if (isObject(value) && attributesOf(inner)) for (const [k, v] of Object.entries(value)) walk(v, inner, `${path}[${k}]`, goPath, out);
    return;
  }
  const attrs = attributesOf(type);
  if (!attrs || !isObject(value)) return;
  const struct = type.replace(/^(Core)?V1/, '');
  for (const key of Object.keys(value)) {
    const child = path ? `${path}.${key}` : key;
    const goChild = goPath ? `${goPath}.${key}` : key;
    const attr = attrs.get(key);
    if (attr === undefined) {
      delete value[key];
      out.unknown.push(child);
      continue;
    }
    if (value[key] === null) {
      // Go decodes null as the zero value, which the object then omits.
      delete value[key];
      continue;
    }
    const mistyped = primitiveMismatch(value[key], attr);
    // Go names the element type when an element of a list is wrong, the list type otherwise.
    const shownType = Array.isArray(value[key]) ? goType({ ...attr, type: attr.type.replace(/^Array<(.*)>$/, '$1') }) : goType(attr);
    if (mistyped) out.mistyped.push(`json: cannot unmarshal ${mistyped} into Go struct field ${struct}.${goChild} of type ${shownType}`);
    else walk(value[key], attr.type, child, goChild, out);
  }
}

/** The JSON type of a value that cannot decode into the attribute's primitive type (null always can). */
function primitiveMismatch(value: unknown, attr: Attribute): string | undefined {
  if (value === null || value === undefined) return undefined;
  const base = attr.type.startsWith('Array<') ? attr.type.slice(6, -1) : attr.type;
  const values = attr.type.startsWith('Array<') ? (Array.isArray(value) ? value : [value]) : [value];
  if (attr.type.startsWith('Array<') && !Array.isArray(value)) return jsonType(value);
  for (const v of values) {
    if (v === null) continue;
    if (base === 'string' && typeof v !== 'string' && !(typeof v === 'number' && quantityFields.has(attr.baseName))) return jsonType(v);
    if (base === 'number' && (typeof v !== 'number' || (attr.format.startsWith('int') && !Number.isInteger(v)))) return jsonType(v);
    if (base === 'boolean' && typeof v !== 'boolean') return jsonType(v);
  }
  return undefined;
}

const jsonType = (v: unknown): string => (Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v);

function goType(attr: Attribute): string {
  const base = attr.type.startsWith('Array<') ? attr.type.slice(6, -1) : attr.type;
  const scalar = base === 'number' ? attr.format || 'int32' : base === 'boolean' ? 'bool' : base;
  return attr.type.startsWith('Array<') ? `[]${scalar}` : scalar;
}
