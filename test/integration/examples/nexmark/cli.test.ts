import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BID, NexmarkGenerator } from '../../../../runtime/connectors/nexmark/index.ts';
import { runCommand } from '../../../support/command.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

// `npm run nexmark -- gen | run` as a user types it: real processes, output read back.
const tmp = tempDirs('nexmark-cli-');
const nexmark = (...args: string[]) => runCommand('npm', ['run', '-s', 'nexmark', '--', ...args], { ...process.env } as Record<string, string>, undefined, 120_000);

describe('npm run nexmark', () => {
  const dump = join(tmp(), 'events.jsonl');
  const generator = new NexmarkGenerator({ seed: 5, eventsPerSecond: 200 });
  const events = Array.from({ length: 8000 }, (_, n) => generator.event(n));

  it('gen writes one JSON event a line, with nexmark-flink field names, on stdout and into --output', async () => {
    const out = await nexmark('gen', '--events', '8000', '--seed', '5', '--rate', '200');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const first = JSON.parse(out.stdout.slice(0, out.stdout.indexOf('\n'))) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['event_type', 'person', 'auction', 'bid']);
    expect(Object.keys(first.person as object)).toEqual(['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra']);
    expect((await nexmark('gen', '--events', '8000', '--seed', '5', '--rate', '200', '--output', dump)).code).toBe(0);
    expect(readFileSync(dump, 'utf8')).toBe(out.stdout);
  });

  it('run q2 prints the selected bids as JSON lines with the SQL column names, and nothing else on stdout', async () => {
    const out = await nexmark('run', 'q2', '--input', dump);
    expect(out.code).toBe(0);
    const expected = events.filter((e) => e.event_type === BID && e.bid!.auction % 123 === 0).map((e) => `{"auction":${e.bid!.auction},"price":${e.bid!.price}}\n`);
    expect(expected.length).toBeGreaterThan(0);
    expect(out.stdout).toBe(expected.join(''));
  });

  it('says which queries it knows, and what it expects', async () => {
    const q6 = await nexmark('run', 'q6', '--input', dump);
    expect(q6.code).toBe(1);
    expect(q6.stderr).toContain('unknown query "q6"');
    expect(q6.stderr).toContain('run <q0|q1|q2|q3|q4|q5|q7|q8|q9|q11|q12>');
    const gen = await nexmark('gen', '--seed', '1');
    expect(gen.code).toBe(1);
    expect(gen.stderr).toContain('gen needs --events N');
  });
});
