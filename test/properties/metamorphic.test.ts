/**
 * Metamorphic relations, checked on the fast engine AND on the reference model. Each one
 * follows from the spec (docs/iam-evaluation.md) for every setting of
 * EvaluationOptions, so the options are drawn at random too.
 *
 * - Adding an Allow statement to any existing policy never removes access and never
 *   removes an explicit deny (§4.3: Allows only feed "some Allow matches" tests and the
 *   best resource match class; §4.6: an SCP Allow can open a gate, never close one).
 *   Note: adding a *new* session policy or boundary is not monotone (no session policy
 *   means "not limited", §4.3 step 5), so only existing policies get statements.
 * - Adding a Deny statement never adds access and never removes an explicit deny.
 * - Statement order, policy order, level order and duplicated statements change nothing.
 * - A bare string and a one-element list are the same (§1.3 rule 1), for Action,
 *   Resource, Principal values, condition values and Statement itself.
 * - Splitting an identity policy's statements into two identity policies changes nothing.
 * - The case of context key names, condition key names and actions changes nothing (§1.4, §2.2).
 * - "*" ≡ {"AWS":"*"} (A11 applies to both) and "A" ≡ "arn:aws:iam::A:root" (§1.6).
 * - A statement whose action matches nothing, an extra SCP level with FullAWSAccess, and
 *   an extra RCP level with no further policies (RCPFullAWSAccess is implied) change nothing.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecisionResult, EvaluationOptions, Scenario } from '../../src/engine/types.js';
import { ENGINES, type Decide, type Outcome } from './engines.js';
import { drawsArb, fuzzRuns, fuzzSeed, optionsArb, scenarioArb, scenarioJson, statementFor } from './generators.js';
import { addNeutralLevels, addStatement, inertStatement, policySlots, recase, relist, reorderAndDuplicate, respellPrincipals, splitIdentity } from './transform.js';

/** Each relation runs FUZZ_RUNS / 10 times per engine (1,000 by default; 20,000 under `npm run fuzz`). */
const RUNS = Math.max(200, Math.floor(fuzzRuns() / 10));
const TIMEOUT = Math.max(60_000, RUNS * 20);
const optionsOrDefault = fc.option(optionsArb as fc.Arbitrary<Partial<EvaluationOptions>>, { nil: undefined, freq: 2 });

type Check = (before: DecisionResult, after: DecisionResult) => boolean;
/** A rejected scenario ('error') must stay rejected, and a valid one valid. */
const withErrors =
  (check: Check) =>
  (a: Outcome, b: Outcome): boolean =>
    a === 'error' || b === 'error' ? a === b : check(a, b);
/** After adding a generated statement, an error is allowed: the statement itself may be invalid (§1.7). */
const withErrorsAdded =
  (check: Check) =>
  (a: Outcome, b: Outcome): boolean =>
    b === 'error' ? true : a === 'error' ? false : check(a, b);
const same = withErrors((a, b) => a === b);
/** Adding an Allow: an Allow stays Allow, an ExplicitDeny stays ExplicitDeny. */
const allowMonotone = withErrorsAdded((a, b) => (a === 'Allow' ? b === 'Allow' : a === 'ExplicitDeny' ? b === 'ExplicitDeny' : b !== 'ExplicitDeny'));
/** Adding a Deny: no new Allow, an ExplicitDeny stays ExplicitDeny. */
const denyMonotone = withErrorsAdded((a, b) => (b === 'Allow' ? a === 'Allow' : true) && (a === 'ExplicitDeny' ? b === 'ExplicitDeny' : true));

/**
 * Run one relation: `transform` turns a scenario (and extra draws) into a related one, or
 * null when it does not apply; `check` relates the two decisions.
 */
function relation<T>(decide: Decide, extra: fc.Arbitrary<T>, transform: (s: Scenario, x: T) => Scenario | null, check: (a: Outcome, b: Outcome) => boolean): void {
  const details = fc.check(
    fc.property(scenarioArb, extra, optionsOrDefault, (s, x, options) => {
      const t = transform(s, x);
      if (t === null) return true;
      return check(decide(s, options), decide(t, options));
    }),
    { numRuns: RUNS, seed: fuzzSeed() },
  );
  if (details.failed) {
    const ce = details.counterexample;
    if (ce) {
      const [s, x, options] = ce;
      const t = transform(s, x);
      let what: string;
      try {
        what = `before=${decide(s, options)} after=${t === null ? 'n/a' : decide(t, options)}`;
      } catch (e) {
        what = `error: ${(e as Error).message}`;
      }
      expect.fail(`${what}\nbefore:\n${scenarioJson(s, options ? { options } : {})}\nafter:\n${t === null ? 'null' : scenarioJson(t)}`);
    }
    expect.fail(`property failed: ${String(details.errorInstance)}`);
  }
}

const slotAndDraws = fc.tuple(fc.nat(), drawsArb);

describe.each(ENGINES)('metamorphic relations: %s', (_name, decide) => {
  it('adding an Allow statement to an existing policy never removes access or an explicit deny', () => {
    relation(
      decide,
      slotAndDraws,
      (s, [slot, draws]) => {
        const slots = policySlots(s);
        const target = slots[slot % Math.max(1, slots.length)];
        if (target === undefined) return null;
        return addStatement(s, slot, statementFor(draws, s, target.kind, 'Allow'))?.scenario ?? null;
      },
      allowMonotone,
    );
  }, TIMEOUT);

  it('adding a Deny statement never adds access and never removes an explicit deny', () => {
    relation(
      decide,
      slotAndDraws,
      (s, [slot, draws]) => {
        const slots = policySlots(s);
        const target = slots[slot % Math.max(1, slots.length)];
        if (target === undefined) return null;
        return addStatement(s, slot, statementFor(draws, s, target.kind, 'Deny'))?.scenario ?? null;
      },
      denyMonotone,
    );
  }, TIMEOUT);

  it('adding a new identity policy with one Allow never removes access', () => {
    relation(
      decide,
      drawsArb,
      (s, draws) => {
        const c = structuredClone(s);
        c.policies.identity = [...(c.policies.identity ?? []), { Version: '2012-10-17', Statement: [statementFor(draws, s, 'identity', 'Allow')] }];
        return c;
      },
      allowMonotone,
    );
  }, TIMEOUT);

  it('statement order, policy order, level order and duplicate statements change nothing', () => {
    relation(decide, fc.nat(), (s, seed) => reorderAndDuplicate(s, seed), same);
  }, TIMEOUT);

  it('a bare string equals a one-element list (Action, Resource, Principal, condition values, Statement)', () => {
    relation(decide, fc.boolean(), (s, toList) => relist(s, toList ? 'toList' : 'toString'), same);
  }, TIMEOUT);

  it("splitting an identity policy's statements into two identity policies changes nothing", () => {
    relation(decide, fc.tuple(fc.nat(), fc.nat()), (s, [i, cut]) => splitIdentity(s, i, cut), same);
  }, TIMEOUT);

  it('the case of context keys, condition keys and actions changes nothing', () => {
    relation(decide, fc.nat(), (s, seed) => recase(s, seed), same);
  }, TIMEOUT);

  it('"*" ≡ {"AWS":"*"} and an account ID ≡ its root ARN in principals', () => {
    relation(decide, fc.constant(0), (s) => respellPrincipals(s), same);
  }, TIMEOUT);

  it('a statement whose action matches nothing changes nothing', () => {
    relation(
      decide,
      fc.tuple(fc.nat(), fc.boolean()),
      (s, [slot, isAllow]) => {
        const slots = policySlots(s);
        const target = slots[slot % Math.max(1, slots.length)];
        if (target === undefined) return null;
        const withPrincipal = target.kind === 'resource' || target.kind === 'rcp' || target.kind === 'vpcEndpoint';
        return addStatement(s, slot, inertStatement(isAllow ? 'Allow' : 'Deny', withPrincipal))?.scenario ?? null;
      },
      same,
    );
  }, TIMEOUT);

  it('an extra FullAWSAccess SCP level and an extra empty RCP level change nothing', () => {
    relation(decide, fc.constant(0), (s) => (s.policies.scp || s.policies.rcp ? addNeutralLevels(s) : null), same);
  }, TIMEOUT);
});
