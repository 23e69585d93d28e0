import { Ajv } from 'ajv';
import type { Options } from 'ajv';
import addFormats from 'ajv-formats';

const KUBERNETES_KEYWORDS = [
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  // CEL rules: the API server evaluates them, ajv does not.
  'x-kubernetes-validations',
];

/**
 * An Ajv instance that reads Kubernetes' OpenAPI v3 dialect: its `x-kubernetes-*` extensions and the
 * formats CRDs use (date-time, int64, ...).
 *
 * Kubernetes checks `pattern` only on strings, so an int-or-string node carries one without `type`.
 */
export function kubernetesAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strictTypes: false, ...options });
  addFormats.default(ajv);
  ajv.addVocabulary(KUBERNETES_KEYWORDS);
  return ajv;
}
