import { badRequest } from './api-error.ts';

export interface FieldRequirement {
  field: string;
  equal: boolean;
  value: string;
}

/** Reads the value of a supported field label from an object; fields a resource does not support are refused. */
export type FieldGetter = (obj: Record<string, unknown>) => string;

export function parseFieldSelector(text: string | undefined, supported: Record<string, FieldGetter>): FieldRequirement[] {
  if (!text || !text.trim()) return [];
  return text.split(',').map((term) => {
    const m = term.trim().match(/^([\w.\-/]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = m[1]!;
    if (!supported[field]) throw badRequest(`field label not supported: ${field}`);
    return { field, equal: m[2] !== '!=', value: m[3]!.trim() };
  });
}

export function matchesFields(
  requirements: FieldRequirement[],
  supported: Record<string, FieldGetter>,
  obj: Record<string, unknown>,
): boolean {
  for (const r of requirements) {
    const actual = supported[r.field]!(obj);
    if ((actual === r.value) !== r.equal) return false;
  }
  return true;
}

/** Walks a dotted path (`status.phase`) and stringifies like apiserver field sets do (missing → ""). */
export function fieldAt(path: string): FieldGetter {
  const keys = path.split('.');
  return (obj) => {
    let cur: unknown = obj;
    for (const k of keys) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
    return cur === undefined || cur === null ? '' : String(cur);
  };
}
