import * as models from '@kubernetes/client-node';

/**
 * The field structure of built-in kinds, read from @kubernetes/client-node's generated models
 * (`V1Deployment.getAttributeTypeMap()` and so on, generated from Kubernetes' OpenAPI). Kubernetes
 * decodes built-in objects into Go structs, so unknown fields never survive: this finds and drops
 * them, returning their paths for `fieldValidation` (Strict: error, Warn: warning).
 */
interface Attribute {
  baseName: string;
  type: string;
}

type J = Record<string, unknown>;
const isObject = (v: unknown): v is J => v !== null && typeof v === 'object' && !Array.isArray(v);
const attributeCache = new Map<string, Map<string, string> | null>();

function attributesOf(typeName: string): Map<string, string> | null {
  let attrs = attributeCache.get(typeName);
  if (attrs === undefined) {
    const model = (models as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>)[typeName];
    attrs = model?.getAttributeTypeMap ? new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type])) : null;
    attributeCache.set(typeName, attrs);
  }
  return attrs;
}

/** client-node's model name of a built-in kind (core Events are `CoreV1Event`). */
const modelOf = (kind: string): string => (kind === 'Event' ? 'CoreV1Event' : `V1${kind}`);

export function hasBuiltinModel(kind: string): boolean {
  return attributesOf(modelOf(kind)) !== null;
}

export function pruneUnknownBuiltinFields(kind: string, obj: J): string[] {
  const pruned: string[] = [];
  walk(obj, modelOf(kind), '', pruned);
  return pruned;
}

function walk(value: unknown, type: string, path: string, pruned: string[]): void {
  if (type.startsWith('Array<') && type.endsWith('>')) {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, type.slice(6, -1), `${path}[${i}]`, pruned));
    return;
  }
  if (type.startsWith('{ [key: string]: ')) {
    const inner = type.slice('{ [key: string]: '.length, -'; }'.length);
    if (isObject(value)) for (const [k, v] of Object.entries(value)) walk(v, inner, `${path}[${k}]`, pruned);
    return;
  }
  const attrs = attributesOf(type);
  if (!attrs || !isObject(value)) return;
  for (const key of Object.keys(value)) {
    const child = path ? `${path}.${key}` : key;
    const childType = attrs.get(key);
    if (childType === undefined) {
      delete value[key];
      pruned.push(child);
    } else walk(value[key], childType, child, pruned);
  }
}
