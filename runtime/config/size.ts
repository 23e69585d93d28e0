import { unitQuantity } from './unit-quantity.ts';

/**
 * Sizes in configuration are strings with a unit — `512b`, `32kb`, `64mb`, `1gb` (powers of
 * 1024, case-insensitive) — parsed to bytes.
 */
const SIZE = unitQuantity({ name: 'size', units: { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }, whole: 'bytes', examples: '"32kb"', caseInsensitive: true });

export const parseSize = SIZE.parse;
export const isSize = SIZE.is;
/** The shortest exact spelling of a number of bytes, e.g. 32768 → "32kb". */
export const formatSize = SIZE.format;
