/**
 * The subset of kubectl JSONPath used by additionalPrinterColumns: `.a.b`, `[n]`, `['key']`
 * and filters `[?(@.type=="Ready")]`. Returns every match (filters can match several).
 */
export function evaluateJsonPath(path: string, root: unknown): unknown[] {
  let current: unknown[] = [root];
  const text = path.replace(/^\{|\}$/g, '').replace(/^\$/, '');
  const token = /\.([A-Za-z0-9_\-$]+)|\[(\d+)\]|\['([^']+)'\]|\[\?\(@\.([\w.]+)\s*==\s*["']([^"']*)["']\)\]|\[\*\]|\.\*/y;
  let pos = 0;
  while (pos < text.length) {
    token.lastIndex = pos;
    const m = token.exec(text);
    if (!m) throw new Error(`unsupported JSONPath ${path} at offset ${pos}`);
    pos = token.lastIndex;
    const next: unknown[] = [];
    for (const value of current) {
      if (m[1] !== undefined || m[3] !== undefined) {
        const key = m[1] ?? m[3]!;
        if (value && typeof value === 'object' && key in value) next.push((value as Record<string, unknown>)[key]);
      } else if (m[2] !== undefined) {
        if (Array.isArray(value) && Number(m[2]) < value.length) next.push(value[Number(m[2])]);
      } else if (m[4] !== undefined) {
        if (Array.isArray(value))
          for (const item of value) if (String(evaluateJsonPath(`.${m[4]}`, item)[0]) === m[5]) next.push(item);
      } else if (Array.isArray(value)) next.push(...value);
      else if (value && typeof value === 'object') next.push(...Object.values(value));
    }
    current = next;
  }
  return current;
}
