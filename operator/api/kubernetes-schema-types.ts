// Schema builders for the shapes Kubernetes' structural OpenAPI v3 dialect needs and TypeBox does not
// produce on its own: string enums (TypeBox unions become `anyOf`/`const`, which Kubernetes rejects),
// int-or-string quantities, durations, DNS names, free-form objects, and defaults.
import { Type } from '@sinclair/typebox';
import type { SchemaOptions, Static, TObject, TSchema, TUnsafe } from '@sinclair/typebox';

/** A string restricted to `values`; typed as their union. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** The pattern Kubernetes uses for `resource.Quantity` (as in controller-gen's output). */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** A Kubernetes quantity such as `500m`, `1`, `512Mi`: an integer or a string, as Kubernetes declares it. */
export function Quantity(options: SchemaOptions = {}): TUnsafe<number | string> {
  return Type.Unsafe<number | string>({
    ...options,
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: QUANTITY_PATTERN,
  });
}

/** `10s`, `500ms`, `1m`, `2h`: one number and one unit, the form every duration in the spec takes. */
export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h)$';

/**
 * The longest duration the spec takes: 24 days. Node's timers hold 2³¹−1 ms (≈24.8 days) and fire at
 * once when given more, so a longer interval or delay would become a busy loop in the runtime.
 */
export const MAX_DURATION = '576h';

/**
 * A duration in the spec's form, at most {@link MAX_DURATION}. The bound is a CEL rule (Go's
 * `duration()` reads these forms), which the API server checks; local validation (ajv) checks the
 * form only.
 */
export function Duration(options: SchemaOptions = {}): TUnsafe<string> {
  return Type.Unsafe<string>({
    ...options,
    type: 'string',
    maxLength: 32,
    pattern: DURATION_PATTERN,
    'x-kubernetes-validations': [{ rule: `duration(self) <= duration('${MAX_DURATION}')`, message: `must be at most ${MAX_DURATION} (24 days)` }],
  });
}

/** An RFC 1123 subdomain: what Kubernetes accepts as the name of a Secret, ConfigMap and most objects. */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export function ObjectName(options: SchemaOptions = {}): TUnsafe<string> {
  return Type.Unsafe<string>({ ...options, type: 'string', minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN });
}

/** An object kept as written: Kubernetes neither validates nor prunes inside it. */
export function FreeFormObject<T extends object>(options: SchemaOptions = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ ...options, type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
}

/**
 * A field the API server fills in when it is absent. It stays required in the TypeScript type, which
 * describes a StreamJob as the operator reads it back (defaulted); `toOpenApiSchema` takes it out of
 * `required` so that manifests may omit it.
 */
export function Defaulted<T extends TSchema>(schema: T, value: Static<T>): T {
  return { ...schema, default: value };
}

/** An object the API server creates empty when absent, so that the defaults of its fields apply. */
export function DefaultedObject<T extends TObject>(schema: T): T {
  return { ...schema, default: {} };
}

/** A string-to-string map. TypeBox's Record uses `patternProperties`, which structural schemas forbid. */
export function StringMap(options: SchemaOptions = {}): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ ...options, type: 'object', additionalProperties: { type: 'string' } });
}
