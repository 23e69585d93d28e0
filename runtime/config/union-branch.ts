import { isPlainObject } from './json-schema.ts';
import type { JsonSchema } from './json-schema.ts';

/**
 * Unions in the configuration are discriminated one of two ways: by a literal property
 * (`restartStrategy.type: fixed-delay`) or by holding exactly one of the branches' keys
 * (`storage: { s3: {...} }`). Choosing the branch from the value itself lets defaults and error
 * messages follow the branch the user meant, where plain JSON-schema `anyOf` cannot.
 */

/** The branch `value` selects, or -1 if it selects none (or, by keys, more than one). */
export function selectBranch(branches: readonly JsonSchema[], value: unknown): number {
  if (!isPlainObject(value)) return -1;
  const discriminator = discriminatorOf(branches);
  if (discriminator !== null) return branches.findIndex((branch) => branch.properties![discriminator]!.const === value[discriminator]);
  const held = branches.map((branch) => branch.required?.some((key) => key in value) ?? false);
  return held.filter(Boolean).length === 1 ? held.indexOf(true) : -1;
}

/** What a value must hold to select a branch, as said in an error message. */
export function describeBranches(branches: readonly JsonSchema[], value: unknown): { key: string | null; expected: string; got: unknown } {
  const discriminator = discriminatorOf(branches);
  if (discriminator !== null) {
    const options = branches.map((branch) => JSON.stringify(branch.properties![discriminator]!.const)).join(', ');
    return isPlainObject(value)
      ? { key: discriminator, expected: `must be one of ${options}`, got: value[discriminator] }
      : { key: null, expected: `must be an object whose "${discriminator}" is one of ${options}`, got: value };
  }
  const keys = branches.flatMap((branch) => branch.required ?? []).map((key) => JSON.stringify(key));
  return { key: null, expected: `must hold exactly one of ${keys.join(', ')}`, got: isPlainObject(value) ? Object.keys(value) : value };
}

/** The property every branch fixes to a literal, if there is one. */
function discriminatorOf(branches: readonly JsonSchema[]): string | null {
  const first = branches[0]?.properties ?? {};
  return Object.keys(first).find((key) => branches.every((branch) => branch.properties?.[key]?.const !== undefined)) ?? null;
}
