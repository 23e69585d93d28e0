// `npm run bench [-- --json] [-- name-filter...]`: runs every bench/*.bench.ts (each exports
// `run(): Promise<BenchResult[]>`) one after the other and prints a table, or one JSON object per
// line with --json.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from './bench-result.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const filters = args.filter((a) => a !== '--json');

function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no benchmark matches ${filters.join(', ')}\n`);
  process.exit(1);
}

const rows: BenchResult[] = [];
let failed = false;
for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as { run?: () => Promise<BenchResult[]> };
  if (typeof module.run !== 'function') {
    process.stderr.write(`${file}: exports no run() function\n`);
    failed = true;
    continue;
  }
  try {
    for (const r of await module.run()) {
      rows.push(r);
      if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
    }
  } catch (e) {
    process.stderr.write(`${file} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    failed = true;
  }
}

if (!json) {
  const table = [['benchmark', 'value', 'baseline', 'unit', 'ratio'], ...rows.map((r) => [r.name, format(r.value), format(r.baseline), r.unit, r.ratio.toFixed(2)])];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const row of table) process.stdout.write(`${row.map((cell, c) => (c === 0 || c === 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}\n`);
}
process.exitCode = failed ? 1 : 0;
