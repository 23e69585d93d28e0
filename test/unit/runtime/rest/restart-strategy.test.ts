import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { RESTART_STRATEGY_KEYS, RESTART_STRATEGY_TYPES, type RestartStrategyKeyName } from '../../../../runtime/rest/restart-strategy.ts';

const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../../../${path}`, import.meta.url)), 'utf8');
const names = Object.keys(RESTART_STRATEGY_KEYS) as RestartStrategyKeyName[];

describe('the restart strategies table', () => {
  it('is what the runtime configuration README lists: each key, its default and the strategies it belongs to', () => {
    const rows = read('runtime/config/README.md').split('\n').filter((line) => line.startsWith('| `restartStrategy.'));
    expect(rows.map((row) => row.split('|').slice(1, 3).map((cell) => cell.trim()))).toEqual([
      ['`restartStrategy.type`', '`exponential-delay`'],
      ...names.map((name) => {
        const key = RESTART_STRATEGY_KEYS[name];
        return [`\`restartStrategy.${name}\``, 'default' in key ? `\`${key.default}\`` : '— (unlimited)'];
      }),
    ]);
    for (const name of names) {
      const row = rows.find((r) => r.startsWith(`| \`restartStrategy.${name}\``))!;
      expect(row.split('|')[4]!.trim()).toBe(`${RESTART_STRATEGY_KEYS[name].types.join(', ')}: ${RESTART_STRATEGY_KEYS[name].description}`);
    }
  });

  it('is what the StreamJob CRD offers: the same types and keys, documented with the same defaults', () => {
    const crd = parse(read('crds/streamjobs.sluice.dev.yaml'));
    const schema = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.restartStrategy;
    expect(schema.properties.type.enum).toEqual([...RESTART_STRATEGY_TYPES]);
    expect(schema.properties.type.default).toBe('exponential-delay');
    expect(Object.keys(schema.properties).sort()).toEqual(['type', ...names].sort());
    for (const name of names) {
      const key = RESTART_STRATEGY_KEYS[name];
      expect(schema.properties[name].default).toBeUndefined();
      expect(schema.properties[name].description).toBe(`${key.types.join(' and ')}: ${key.description}; ${'default' in key ? key.default : 'unlimited'} when absent.`);
    }
  });
});
