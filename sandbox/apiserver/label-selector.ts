import { badRequest } from './api-error.ts';

/** One requirement of a label selector, as in apimachinery's `labels.Requirement`. */
export interface LabelRequirement {
  key: string;
  operator: 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

export type LabelSelector = LabelRequirement[];

/** Parses the string form used in `?labelSelector=`: `a=b,c!=d,e in (x,y),f notin (z),g,!h`. */
export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (!text || !text.trim()) return [];
  const requirements: LabelSelector = [];
  for (const part of splitTopLevel(text)) {
    const term = part.trim();
    if (!term) throw badRequest(`unable to parse requirement: empty term in label selector "${text}"`);
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^!\s*([\w./-]+)$/))) requirements.push({ key: m[1]!, operator: '!exists', values: [] });
    else if ((m = term.match(/^([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)$/)))
      requirements.push({ key: m[1]!, operator: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()) });
    else if ((m = term.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/)))
      requirements.push({ key: m[1]!, operator: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] });
    else if ((m = term.match(/^([\w./-]+)$/))) requirements.push({ key: m[1]!, operator: 'exists', values: [] });
    else throw badRequest(`unable to parse requirement: invalid label selector term "${term}"`);
  }
  return requirements;
}

/** Converts a `metav1.LabelSelector` object (matchLabels + matchExpressions) into requirements. */
export function labelSelectorFromObject(selector: unknown): LabelSelector {
  const s = (selector ?? {}) as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const result: LabelSelector = Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({ key, operator: 'in', values: [v] }));
  for (const e of s.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' }[e.operator] as LabelRequirement['operator'];
    if (!op) throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    result.push({ key: e.key, operator: op, values: e.values ?? [] });
  }
  return result;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  for (const r of selector) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels![r.key]! : undefined;
    switch (r.operator) {
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(value!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(value!)) return false;
        break;
    }
  }
  return true;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
