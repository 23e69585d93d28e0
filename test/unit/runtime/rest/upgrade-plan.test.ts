import { describe, expect, it } from '@jest/globals';
import { boundedPlanJson, parseUpgradePlan, type UpgradePlan } from '../../../../runtime/rest/upgrade-plan.ts';

const problem = (i: number) => ({ kind: 'state-dropped' as const, operatorId: `op-${i}`, uid: `uid-${i}`, message: `operator uid "uid-${i}" has state in s3://b/${'x'.repeat(200)} but no operator of the new job has that uid` });

describe('boundedPlanJson', () => {
  it('writes a plan that fits as it is', () => {
    const plan: UpgradePlan = { safe: false, restorePoint: 's3://b/chk-1', checkpointId: 1, problems: [problem(1)], summary: problem(1).message };
    expect(JSON.parse(boundedPlanJson(plan))).toEqual(plan);
  });

  it('leaves out problems from the end, counted, to stay within the limit', () => {
    const problems = Array.from({ length: 40 }, (_, i) => problem(i));
    const text = boundedPlanJson({ safe: false, problems, summary: problems[0]!.message });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
    const read = parseUpgradePlan(text)!;
    expect(read.safe).toBe(false);
    expect(read.problems).toEqual(problems.slice(0, read.problems.length));
    expect(read.problems.length).toBeGreaterThan(0);
    expect(read.omittedProblems).toBe(40 - read.problems.length);
  });

  it('shortens a summary too long on its own', () => {
    const text = boundedPlanJson({ safe: false, problems: [], error: 'e', summary: 'y'.repeat(10_000) }, 512);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(512);
    expect(parseUpgradePlan(text)).toMatchObject({ safe: false, error: 'e' });
  });
});

describe('parseUpgradePlan', () => {
  it('reads back what is not a plan as undefined', () => {
    expect(parseUpgradePlan('sluice: boom')).toBeUndefined();
    expect(parseUpgradePlan('{"safe":"yes"}')).toBeUndefined();
    expect(parseUpgradePlan('null')).toBeUndefined();
  });
});
