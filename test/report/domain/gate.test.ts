/**
 * The CI gate: a baseline report hides what it already holds (per profile, variant, step
 * and status), suppressions hide what they name with a reason until their day, and every
 * hidden step is named in the notes; nothing becomes a pass.
 */
import { describe, expect, it } from 'vitest';
import { applyGate, baselineKeys, findingKey, readSuppressions } from '../../../src/report/check/gate.js';
import { renderDomain } from '../../../src/report/check/domain-render.js';
import { renderCheckJson } from '../../../src/report/check/index.js';
import { verdictLine } from '../../../src/report/check/model.js';
import { checkDomain } from './fixture.js';

const TODAY = '2026-12-03';
const [alice, bob] = checkDomain() as [ReturnType<typeof checkDomain>[0], ReturnType<typeof checkDomain>[0]];
const fails = (r: typeof alice.result): string[] => r.steps.filter((o) => o.status === 'fail').map((o) => o.step.id);

describe('baseline', () => {
  it('reads one-profile and domain reports, keyed by profile, variant, step and status', () => {
    const one = baselineKeys(renderCheckJson(alice.result), 'a.json');
    const domain = baselineKeys(renderDomain([alice, bob], 'json'), 'd.json');
    if ('error' in one || 'error' in domain) throw new Error('baseline not read');
    expect(one.keys.has(findingKey(alice.result.setup, 'schedule', 'run.create-training-job', 'fail'))).toBe(true);
    expect(domain.keys.has(findingKey(bob.result.setup, 'schedule', 'run.create-training-job', 'fail'))).toBe(false);
    expect(domain.keys.size).toBe(one.keys.size + bob.result.steps.filter((o) => ['fail', 'warn', 'undecided'].includes(o.status)).length);
  });

  it('names the file and path of what is not a report', () => {
    expect(baselineKeys('{"steps": 1}', 'b.json')).toEqual({ error: { file: 'b.json', path: '$', message: expect.stringContaining('check --format json') } });
    expect(baselineKeys('nope', 'b.json')).toMatchObject({ error: { file: 'b.json', path: '$' } });
  });

  it("hides what the baseline holds: bob against alice's report shows nothing new; alice against bob's shows the SCP failure", () => {
    const fromAlice = baselineKeys(renderDomain([alice, { ...alice, result: { ...alice.result, setup: bob.result.setup } }], 'json'), 'known.json');
    if ('error' in fromAlice) throw new Error('not read');
    const gatedBob = applyGate(bob.result, { baseline: fromAlice.keys, baselineFile: 'known.json', today: TODAY });
    expect(fails(gatedBob)).toEqual([]);
    expect(gatedBob.summary.fail).toBe(0);
    expect(gatedBob.notes.filter((n) => n.startsWith('not shown:'))).toHaveLength(bob.result.steps.filter((o) => ['fail', 'warn', 'undecided'].includes(o.status)).length);
    expect(gatedBob.notes.join('\n')).toContain('schedule.put-rule (fail), known in the baseline known.json');
    // Nothing hidden became a pass.
    expect(gatedBob.steps.every((o) => bob.result.steps.includes(o))).toBe(true);
    // And the verdict never says that notebook jobs work.
    expect(verdictLine(gatedBob)).toMatch(/^Nothing new: \d+ known findings not shown/);
    expect(verdictLine(gatedBob)).not.toMatch(/will work/);

    const fromBob = baselineKeys(renderDomain([{ ...bob, result: { ...bob.result, setup: alice.result.setup } }], 'json'), 'known.json');
    if ('error' in fromBob) throw new Error('not read');
    const gatedAlice = applyGate(alice.result, { baseline: fromBob.keys, today: TODAY });
    expect(fails(gatedAlice)).toEqual(['run.create-training-job']);
    expect(gatedAlice.summary).toMatchObject({ fail: 1, ok: false });
    expect(gatedAlice.fixes.length).toBeGreaterThan(0);
    expect(gatedAlice.fixes.length).toBeLessThan(alice.result.fixes.length);
  });

  it('a baseline of another profile hides nothing', () => {
    const keys = baselineKeys(renderCheckJson(bob.result), 'b.json');
    if ('error' in keys) throw new Error('not read');
    const gated = applyGate(alice.result, { baseline: keys.keys, today: TODAY });
    expect(fails(gated)).toEqual(fails(alice.result));
  });
});

describe('suppressions', () => {
  const file = (list: unknown[]): string => JSON.stringify({ version: 1, suppressions: list });

  it('need a step and a reason; every problem is named with its JSON path', () => {
    const { errors } = readSuppressions(file([{ step: 'run.create-log-group' }, { step: 'x', reason: 'because it is known' }, { step: 'run.a', reason: 'a long enough reason', profile: 'alice' }, { step: 'run.a', reason: 'a long enough reason', until: 'soon', extra: 1 }]), 's.json');
    expect(errors.map((e) => e.path)).toEqual(['$.suppressions[0].reason', '$.suppressions[1].step', '$.suppressions[2].profile', '$.suppressions[3].extra', '$.suppressions[3].until']);
    expect(readSuppressions('{"version": 2, "suppressions": []}', 's.json').errors.map((e) => e.path)).toEqual(['$.version']);
  });

  it('hide the step they name, for the profile they name, until their day, saying why', () => {
    const { suppressions, errors } = readSuppressions(
      file([
        { step: 'run.create-training-job', profile: 'd-exampledomain1/user-profile/alice', reason: 'the pipeline wrapper tags these jobs' },
        { step: 'schedule.put-rule', reason: 'rules are created by the platform team', until: '2026-12-02' },
      ]),
      's.json',
    );
    expect(errors).toEqual([]);
    const gated = applyGate(alice.result, { suppressions, suppressionsFile: 's.json', today: TODAY });
    expect(fails(gated)).toEqual(fails(alice.result).filter((id) => id !== 'run.create-training-job'));
    expect(gated.notes.join('\n')).toContain('run.create-training-job (fail), suppressed by s.json: the pipeline wrapper tags these jobs');
    expect(gated.notes.join('\n')).toContain('the suppression of schedule.put-rule ended on 2026-12-02');
    const gatedBob = applyGate(bob.result, { suppressions, today: TODAY });
    expect(fails(gatedBob)).toEqual(fails(bob.result));
    const before = applyGate(alice.result, { suppressions, today: '2026-12-01' });
    expect(fails(before)).not.toContain('schedule.put-rule');
  });
});
