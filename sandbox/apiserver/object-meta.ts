import { randomBytes, randomUUID } from 'node:crypto';
import type { StatusCause } from './api-error.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kinds whose names must be DNS-1123 labels rather than subdomains (they become DNS names). */
const labelNamed = new Set(['Namespace', 'Service']);

export function validateName(kind: string, name: string): StatusCause[] {
  const asLabel = labelNamed.has(kind);
  const ok = asLabel ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return [];
  const what = asLabel ? 'a lowercase RFC 1123 label' : 'a lowercase RFC 1123 subdomain';
  return [
    {
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${name}": ${what} must consist of lower case alphanumeric characters, '-'${asLabel ? '' : " or '.'"}, and must start and end with an alphanumeric character`,
    },
  ];
}

const QUALIFIED = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function validateLabels(labels: Record<string, unknown> | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!QUALIFIED.test(k)) causes.push({ field: 'metadata.labels', message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'` });
    if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63)
      causes.push({ field: 'metadata.labels', message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'` });
  }
  return causes;
}

export function validateOwnerReferences(refs: unknown): StatusCause[] {
  if (refs === undefined) return [];
  if (!Array.isArray(refs)) return [{ field: 'metadata.ownerReferences', message: 'Invalid value: must be a list' }];
  const causes: StatusCause[] = [];
  refs.forEach((r: Record<string, unknown>, i) => {
    for (const key of ['apiVersion', 'kind', 'name', 'uid'])
      if (!r?.[key]) causes.push({ field: `metadata.ownerReferences[${i}].${key}`, message: `Invalid value: "": ${key} must not be empty` });
  });
  if (refs.filter((r: Record<string, unknown>) => r?.controller === true).length > 1)
    causes.push({ field: 'metadata.ownerReferences', message: 'Invalid value: only one reference can have Controller set to true' });
  return causes;
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + 5 random characters from the alphabet apiserver uses (no vowels, no look-alikes). */
export function generatedName(prefix: string): string {
  const bytes = randomBytes(5);
  let suffix = '';
  for (const b of bytes) suffix += GENERATE_ALPHABET[b % GENERATE_ALPHABET.length];
  return prefix.slice(0, 63 - 5) + suffix;
}

export const newUid = (): string => randomUUID();

/** RFC 3339 with second precision, as metav1.Time serializes. */
export const timestamp = (at = Date.now()): string => new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
