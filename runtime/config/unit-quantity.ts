/** A quantity written in configuration as a number and a unit, so that a bare number is never misread. */
export interface UnitQuantity {
  /** The value in the smallest unit; throws, saying what is expected, unless it is a whole number of it. */
  parse(text: string): number;
  is(text: string): boolean;
  /** The shortest exact spelling of a value in the smallest unit. */
  format(value: number): string;
}

export interface UnitQuantitySpec {
  /** What it is called in messages: `duration`, `size`. */
  readonly name: string;
  /** Each unit's factor to the smallest unit, smallest first. */
  readonly units: Readonly<Record<string, number>>;
  /** The smallest unit in words, for messages: `milliseconds`, `bytes`. */
  readonly whole: string;
  /** Examples for messages: `"500ms" or "10s"`. */
  readonly examples: string;
  readonly caseInsensitive?: boolean;
}

export function unitQuantity(spec: UnitQuantitySpec): UnitQuantity {
  const names = Object.keys(spec.units);
  const pattern = new RegExp(`^(\\d+(?:\\.\\d+)?)(${names.join('|')})$`);
  const largestFirst = names.slice(1).reverse();
  const parse = (text: string): number => {
    const trimmed = text.trim();
    const match = pattern.exec(spec.caseInsensitive ? trimmed.toLowerCase() : trimmed);
    const value = match === null ? Number.NaN : Number(match[1]) * spec.units[match[2]!]!;
    if (!Number.isSafeInteger(value)) {
      throw new Error(`invalid ${spec.name} ${JSON.stringify(text)}: expected a number and a unit (${names.join(', ')}) giving whole ${spec.whole}, e.g. ${spec.examples}`);
    }
    return value;
  };
  return {
    parse,
    is(text) {
      try {
        parse(text);
        return true;
      } catch {
        return false;
      }
    },
    format(value) {
      for (const unit of largestFirst) if (value !== 0 && value % spec.units[unit]! === 0) return `${value / spec.units[unit]!}${unit}`;
      return `${value}${names[0]}`;
    },
  };
}
