import type { ErrorObject, ValidateFunction } from 'ajv';
import { kubernetesAjv } from './kubernetes-ajv.ts';
import { pruneUnknownFields } from './prune.ts';
import { toOpenApiSchema } from './openapi-schema.ts';
import type { OpenApiSchema } from './openapi-schema.ts';
import { StreamJobSchema } from './stream-job.ts';
import type { StreamJob } from './stream-job.ts';

/** One violation: `path` in Kubernetes' field notation (`spec.job.parallelism`). */
export interface FieldError {
  path: string;
  message: string;
}

export type ValidationResult = { valid: true; streamJob: StreamJob } | { valid: false; errors: FieldError[] };

interface Validators {
  bodySchema: OpenApiSchema;
  body: ValidateFunction;
  metadata: ValidateFunction;
}

let compiled: Validators | undefined;

function validators(): Validators {
  if (compiled) return compiled;
  const schema = toOpenApiSchema(StreamJobSchema);
  const { metadata, ...properties } = schema.properties as Record<string, OpenApiSchema>;
  // Kubernetes never prunes metadata; only its name is restricted, so it is checked on its own.
  const bodySchema = { ...schema, properties, required: schema.required?.filter((name) => name !== 'metadata') };
  compiled = {
    bodySchema,
    body: kubernetesAjv({ useDefaults: true, verbose: true }).compile(bodySchema),
    metadata: kubernetesAjv({ verbose: true }).compile(metadata as OpenApiSchema),
  };
  return compiled;
}

/**
 * Checks a StreamJob manifest the way the API server does with the CRD's schema: unknown fields pruned,
 * defaults applied, then validated. For tests and tools that want the answer before talking to a cluster.
 *
 * Validates a copy of `manifest`; on success returns it pruned and defaulted.
 */
export function validateStreamJob(manifest: unknown): ValidationResult {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    return { valid: false, errors: [{ path: '', message: 'must be an object' }] };
  }
  const { bodySchema, body, metadata } = validators();
  const { metadata: meta, ...rest } = structuredClone(manifest) as Record<string, unknown>;
  pruneUnknownFields(rest, bodySchema);
  const errors: FieldError[] = [];
  if (meta === undefined) errors.push({ path: 'metadata', message: 'Required value' });
  else if (!metadata(meta)) errors.push(...withoutBranchErrors(metadata.errors ?? []).map((e) => toFieldError(e, 'metadata')));
  if (!body(rest)) errors.push(...withoutBranchErrors(body.errors ?? []).map((e) => toFieldError(e, '')));
  if (errors.length > 0) return { valid: false, errors };
  return { valid: true, streamJob: { ...rest, metadata: meta } as StreamJob };
}

function toFieldError(error: ErrorObject, prefix: string): FieldError {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const base = [prefix, ...segments].filter((s) => s !== '').join('.');
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return { path: base === '' ? missing : `${base}.${missing}`, message: 'Required value' };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
      return { path: base, message: `Unsupported value: ${JSON.stringify(error.data)}: supported values: ${allowed}` };
    }
    case 'oneOf': {
      const description = (error.parentSchema as OpenApiSchema | undefined)?.description;
      return { path: base, message: description ? `Invalid value: ${description}` : `Invalid value: ${error.message}` };
    }
    default:
      return { path: base, message: `Invalid value: ${JSON.stringify(error.data)}: ${error.message}` };
  }
}

/** A `oneOf` failure also reports why each branch failed; the oneOf error itself says it all. */
function withoutBranchErrors(errors: ErrorObject[]): ErrorObject[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  return errors.filter((e) => !oneOfs.some((branch) => e.schemaPath.startsWith(branch)));
}
