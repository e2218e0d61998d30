/**
 * Differential run: every conformance scenario plus N random scenarios through our engine
 * and through @cloud-copilot/iam-simulate (AGPL, called only from tools/), listing every
 * disagreement grouped by its likely cause.
 *
 *   npm --prefix tools run differential -- [--random N] [--seed S] [--out FILE] [--minimize K]
 *
 * Classification of a disagreement, first rule that fits:
 *  1. iam-simulate refused the input (policy validation, unknown action, resource type):
 *     `input-rejected:<message>` (listed, but not counted as a disagreement when
 *     runUnsafeSimulation could not give a decision either).
 *  2. One of our EvaluationOptions (spec §8), flipped alone, makes us agree:
 *     `option:<name>` — an ambiguity on which the two engines chose differently.
 *  3. runUnsafeSimulation (which keeps every context key) agrees with us while
 *     runSimulation dropped keys: `context-key-filtered`.
 *  4. Otherwise the features of the (minimized) scenario: `feature:<...>`.
 * Random disagreements are minimized (layers, policies, statements, conditions and
 * context keys dropped while the same two decisions persist) to make triage quick.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { join, relative } from 'node:path';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { fromEvaluationResult, parsePrincipal, runTheirs, toSimulation, type Decision, type ScenarioLike } from './adapter.ts';
import { randomScenario } from './gen.ts';
import { repoRoot, runOurs, runReference, loadOurs, oursEngine } from './ours.ts';

const args = process.argv.slice(2);
const argVal = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const N = Number(argVal('--random', '2000'));
const SEED = Number(argVal('--seed', '1'));
const OUT = argVal('--out', join(repoRoot, 'tools/out/differential.json'));
const MINIMIZE = Number(argVal('--minimize', '5'));
/** Random scenarios from: tools/gen.ts ('gen'), test/properties/generators.ts scenarioArb ('props'), or both. */
const SOURCE = argVal('--source', 'both');

/** Each option flipped towards iam-simulate's observed behaviour (spec §8 column "iam-simulate"). */
const OPTION_FLIPS: Array<[string, Record<string, unknown>, string]> = [
  ['sessionArnGrantBypassesSessionPolicy', { sessionArnGrantBypassesSessionPolicy: false }, 'A1'],
  ['plainOperatorOnMultivaluedKey', { plainOperatorOnMultivaluedKey: 'anyValue' }, 'A2'],
  ['negatedOperatorOnUnresolvedVariable', { negatedOperatorOnUnresolvedVariable: false }, 'A3'],
  ['expandVariablesInBool', { expandVariablesInBool: false }, 'A5'],
  ['resourceArnCaseSensitive', { resourceArnCaseSensitive: false }, 'A10'],
  ['wildcardPrincipalMatchesServices', { wildcardPrincipalMatchesServices: false }, 'A11'],
  ['emptyStringIsPresent', { emptyStringIsPresent: false }, 'A12'],
  ['rcpExemptServiceLinkedRoles', { rcpExemptServiceLinkedRoles: true }, 'A13'],
  ['notPrincipalDenyChain', { notPrincipalDenyChain: 'sessionOnly' }, 'A15'],
  ['notPrincipalDenyAlwaysDeniesBoundedCallers', { notPrincipalDenyAlwaysDeniesBoundedCallers: false }, 'NotPrincipal+boundary'],
  ['caseVariantTagKeys', { caseVariantTagKeys: 'any' }, 'A16'],
  ['allDigitDates', { allDigitDates: 'epochMilliseconds' }, 'A18'],
];

function walk(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (e.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

interface Row {
  source: string;
  name: string;
  expect?: Decision;
  ours?: Decision;
  oursError?: string;
  /** src/engine/reference.ts on the same scenario (when our engine under test is the fast one). */
  reference?: Decision;
  referenceError?: string;
  theirs?: Decision;
  theirsEngine: string;
  theirsError?: string;
  ignoredContextKeys: string[];
  adapterNotes: string[];
  cls?: string;
  features: string[];
  scenario: ScenarioLike;
  minimized?: ScenarioLike;
}

function features(s: ScenarioLike): string[] {
  const f: string[] = [];
  const p = parsePrincipal(s.request.principal);
  f.push(`principal=${p.kind}`);
  const resAcct = toSimulation(s).simulation.request.resource.accountId;
  if (p.account && p.account !== resAcct) f.push('cross-account');
  const pol = s.policies ?? {};
  if (pol.identity?.length) f.push('identity');
  if (pol.permissionsBoundary !== undefined) f.push('boundary');
  if (pol.session?.length) f.push('session');
  if (pol.resource !== undefined) f.push('resource');
  if (pol.scp) f.push(`scp${pol.scp.length}`);
  if (pol.rcp) f.push(`rcp${pol.rcp.length}`);
  if (pol.vpcEndpoint !== undefined) f.push('vpce');
  const text = JSON.stringify(pol);
  if (text.includes('NotPrincipal')) f.push('NotPrincipal');
  if (text.includes('${')) f.push('variables');
  if (/"(String|Arn)Not/.test(text)) f.push('negated-op');
  if (s.request.principalRoleArn) f.push('principalRoleArn');
  if (s.request.action.toLowerCase().startsWith('sts:assumerole')) f.push('AssumeRole');
  if (s.request.action.toLowerCase().startsWith('kms:')) f.push('kms');
  return f;
}

async function theirsUnsafe(s: ScenarioLike): Promise<Decision | undefined> {
  const { simulation, usesSessionOrEndpoint } = toSimulation(s, { forUnsafe: true });
  if (usesSessionOrEndpoint) return undefined;
  try {
    return fromEvaluationResult(runUnsafeSimulation(simulation, {}));
  } catch {
    return undefined;
  }
}

/** Drop parts of the scenario while the engines keep giving the same decisions (theirs, or our reference when `vsReference`). */
async function minimize(s: ScenarioLike, ours: Decision, other: Decision, vsReference = false): Promise<ScenarioLike> {
  const still = async (c: ScenarioLike): Promise<boolean> => {
    const o = await runOurs(c);
    if (o.decision !== ours) return false;
    if (vsReference) return (await runReference(c))?.decision === other;
    const t = await runTheirs(c);
    return t.decision === other && !t.error;
  };
  let cur: ScenarioLike = JSON.parse(JSON.stringify(s)) as ScenarioLike;
  for (let round = 0; round < 6; round++) {
    let changed = false;
    for (const cand of candidates(cur)) {
      if (await still(cand)) {
        cur = cand;
        changed = true;
        break;
      }
    }
    if (!changed) break;
  }
  return cur;
}

function* candidates(s: ScenarioLike): Generator<ScenarioLike> {
  const clone = (): ScenarioLike => JSON.parse(JSON.stringify(s)) as ScenarioLike;
  const pol = s.policies as Record<string, unknown>;
  for (const layer of Object.keys(pol)) {
    const c = clone();
    delete (c.policies as Record<string, unknown>)[layer];
    yield c;
  }
  for (const k of Object.keys(s.request.context ?? {})) {
    const c = clone();
    delete c.request.context![k];
    yield c;
  }
  // policies in lists / levels
  for (const layer of ['identity', 'session'] as const) {
    const list = s.policies[layer];
    if (!list) continue;
    for (let i = 0; i < list.length; i++) {
      const c = clone();
      c.policies[layer]!.splice(i, 1);
      yield c;
    }
  }
  for (const layer of ['scp', 'rcp'] as const) {
    const levels = s.policies[layer];
    if (!levels) continue;
    for (let i = 0; i < levels.length; i++) {
      if (levels.length > 1) {
        const c = clone();
        c.policies[layer]!.splice(i, 1);
        yield c;
      }
      for (let j = 0; j < levels[i]!.length; j++) {
        const c = clone();
        c.policies[layer]![i]!.splice(j, 1);
        yield c;
      }
    }
  }
  // statements and conditions inside every document
  const docs: Array<(c: ScenarioLike) => unknown> = [];
  for (const layer of ['permissionsBoundary', 'resource', 'vpcEndpoint'] as const) {
    if (s.policies[layer] !== undefined) docs.push((c) => c.policies[layer]);
  }
  for (const layer of ['identity', 'session'] as const) {
    (s.policies[layer] ?? []).forEach((_, i) => docs.push((c) => c.policies[layer]![i]));
  }
  for (const layer of ['scp', 'rcp'] as const) {
    (s.policies[layer] ?? []).forEach((lvl, i) => lvl.forEach((_, j) => docs.push((c) => c.policies[layer]![i]![j])));
  }
  for (const get of docs) {
    const d = get(s) as { Statement?: unknown };
    const stmts = Array.isArray(d?.Statement) ? (d.Statement as Record<string, unknown>[]) : [];
    for (let i = 0; i < stmts.length; i++) {
      if (stmts.length > 1) {
        const c = clone();
        ((get(c) as { Statement: unknown[] }).Statement).splice(i, 1);
        yield c;
      }
      if (stmts[i]!['Condition']) {
        const c = clone();
        delete ((get(c) as { Statement: Record<string, unknown>[] }).Statement[i]!)['Condition'];
        yield c;
      }
    }
  }
}

/** Known structural classes (see docs/divergences.md), recognised from the scenario's shape. */
function namedClass(s: ScenarioLike): string | undefined {
  const p = parsePrincipal(s.request.principal);
  const text = JSON.stringify(s.policies ?? {});
  if (/"Principal":\s*"(?!\*")/.test(text)) return 'E1 bare-string Principal other than "*" (invalid grammar; engines differ on invalid input)';
  if (p.kind === 'service' && (s.policies.identity?.length || s.policies.permissionsBoundary !== undefined || s.policies.session?.length))
    return 'B8 identity/boundary/session policies given for a service-principal caller';
  if (/^sts:(assumerole|assumerolewithsaml|assumerolewithwebidentity|tagsession|setsourceidentity|setcontext)$/.test(s.request.action.toLowerCase()) && s.policies.resource === undefined)
    return 'B9 role-trust action (sts:AssumeRole, TagSession, …) with no trust policy';
  const docs = [...(s.policies.identity ?? []), s.policies.permissionsBoundary, ...(s.policies.session ?? []), s.policies.resource, ...(s.policies.scp ?? []).flat(), ...(s.policies.rcp ?? []).flat(), s.policies.vpcEndpoint];
  if (docs.some((d) => d && typeof d === 'object' && (d as { Version?: string }).Version !== '2012-10-17' && JSON.stringify(d).includes('${')))
    return 'A8 policy variables in a policy without Version 2012-10-17 (literal text)';
  if (s.request.principalRoleArn && /:role\/.+\/./.test(s.request.principalRoleArn))
    return 'B10 role with a path: iam-simulate rebuilds the role ARN from the session ARN (path lost)';
  if (s.policies.session?.length && /"Principal":"\*"|"AWS":"\*"/.test(text)) return 'A1b "*" grant vs an implicit deny in the session policy';
  if (/ForAnyValue:[A-Za-z]+IfExists|ForAllValues:[A-Za-z]+IfExists/.test(text)) return 'D3 set operator with IfExists (spec §2.3 vs §2.5)';
  if (/"Date[A-Za-z]+":\{[^}]*"\d+\.\d+"/.test(text)) return 'D4 decimal epoch in a Date condition';
  if (p.kind === 'federatedUser' && !(s.policies.session?.length)) return 'B1 federated-user session without a session policy';
  if (p.kind === 'root' && s.request.action.toLowerCase().startsWith('sts:assumerole')) return 'B2b root user cannot call AssumeRole';
  if (p.kind === 'root') return 'B2 root user: identity side implicitly allowed';
  if (p.kind === 'service' && s.policies.scp?.length) return 'B5 SCPs given for a service-principal caller';
  const act = s.request.action.toLowerCase();
  if (s.policies.rcp?.length && act === 'kms:retiregrant') return 'B6 kms:RetireGrant is not controlled by RCPs';
  if (s.policies.rcp?.length && !/^(s3|sts|kms|sqs|secretsmanager|ecr|aoss|logs|dynamodb|cognito-identity):/.test(act)) return 'B7 RCPs on a service that does not support RCPs';
  const emptyArrays = Object.entries(s.request.context ?? {}).filter(([, v]) => Array.isArray(v) && v.length === 0).map(([k]) => k.toLowerCase());
  if (emptyArrays.some((k) => new RegExp(`"[A-Za-z]+Not[A-Za-z]*":\\{[^}]*"${k.replace(/[/:]/g, (c) => '\\' + c)}"`, 'i').test(text))) return 'C1 plain negated operator on an empty multi-valued key';
  if (/"NotResource":[^}]*\$\{/.test(text)) return 'C2 unresolved policy variable in NotResource';
  if (text.includes('NotPrincipal') && s.policies.permissionsBoundary !== undefined) return 'B3 NotPrincipal+Deny with a permissions boundary';
  if (text.includes('NotPrincipal')) return 'B4 NotPrincipal+Deny: account entry exempts every principal of the account (iam-simulate)';
  return undefined;
}

async function classify(row: Row): Promise<void> {
  const s = row.scenario;
  if (oursEngine === 'fast' && row.reference && row.ours !== row.reference) {
    const p = parsePrincipal(s.request.principal);
    const resAcct = toSimulation(s).simulation.request.resource.accountId;
    const sub =
      s.request.action.toLowerCase() === 'iam:passrole' && p.account && p.account !== resAcct
        ? 'D1 cross-account iam:PassRole'
        : /"AWS":\s*"A(?:ID|RO)A/.test(JSON.stringify(s.policies)) || /"AWS":\s*\[[^\]]*"A(?:ID|RO)A/.test(JSON.stringify(s.policies))
          ? 'D2 unique-ID principal'
          : /ForAnyValue:[A-Za-z]+IfExists|ForAllValues:[A-Za-z]+IfExists/.test(JSON.stringify(s.policies))
            ? 'D3 set operator with IfExists'
            : /"Date[A-Za-z]+":\{[^}]*"\d+\.\d+"/.test(JSON.stringify(s.policies))
              ? 'D4 decimal epoch date'
              : 'unclassified';
    row.cls = `ENGINE fast≠reference ${sub}: fast=${row.ours} reference=${row.reference} iam-simulate=${row.theirs ?? 'error'}`;
    return;
  }
  if (!row.theirs) {
    row.cls = `input-rejected:${row.theirsError ?? 'unknown'}`;
    return;
  }
  for (const [name, flip, amb] of OPTION_FLIPS) {
    const o = await runOurs(s, flip);
    if (o.decision && o.decision === row.theirs) {
      row.cls = `option:${name} (${amb})`;
      return;
    }
  }
  if (s.options && Object.keys(s.options).length > 0) {
    const { options: _pinned, ...unpinned } = s;
    const o = await runOurs(unpinned as ScenarioLike);
    if (o.decision === row.theirs) {
      row.cls = `pinned-option:${Object.keys(s.options).join(',')} (scenario pins a non-default option; iam-simulate has one fixed behaviour)`;
      return;
    }
  }
  const named = namedClass(row.minimized ?? s);
  if (named) {
    row.cls = named;
    return;
  }
  if (row.ignoredContextKeys.length > 0) {
    const u = await theirsUnsafe(s);
    if (u && u === row.ours) {
      row.cls = `context-key-filtered:${row.ignoredContextKeys.join(',')}`;
      return;
    }
  }
  if (row.adapterNotes.length) {
    row.cls = `adapter:${row.adapterNotes.join('; ')}`;
    return;
  }
  const f = features(row.minimized ?? s).filter((x) => !['identity'].includes(x));
  row.cls = `feature:${f.join(',')}`;
}

async function main(): Promise<void> {
  await loadOurs();
  const rows: Row[] = [];
  const confDir = join(repoRoot, 'test/conformance/scenarios');
  const files = walk(confDir);
  const t0 = Date.now();
  for (const f of files) {
    let s: ScenarioLike;
    try {
      s = JSON.parse(readFileSync(f, 'utf8')) as ScenarioLike;
    } catch {
      continue; // invalid files are the CLI's business (format tests), not ours
    }
    if (!s || typeof s !== 'object' || !s.request || !s.policies) continue;
    rows.push(await evalOne(relative(repoRoot, f), s));
  }
  const propsFile = join(repoRoot, 'test/properties/generators.ts');
  let propsN = 0;
  if ((SOURCE === 'props' || SOURCE === 'both') && existsSync(propsFile)) {
    try {
      const gens = (await import(pathToFileURL(propsFile).href)) as { scenarioArb?: fc.Arbitrary<ScenarioLike> };
      if (gens.scenarioArb) {
        propsN = SOURCE === 'both' ? Math.floor(N / 2) : N;
        const sample = fc.sample(gens.scenarioArb, { numRuns: propsN, seed: SEED });
        for (const [i, sc] of sample.entries()) rows.push(await evalOne('random', { ...sc, name: `props #${SEED}/${i}` }));
      }
    } catch (e) {
      console.error(`test/properties/generators.ts not usable (${(e as Error).message}); using tools/gen.ts only`);
      propsN = 0;
    }
  }
  for (let i = 0; i < N - propsN; i++) {
    rows.push(await evalOne('random', randomScenario(SEED * 1_000_003 + i)));
  }
  const disagreements = rows.filter((r) => r.ours !== r.theirs || r.oursError || (r.reference && r.reference !== r.ours));
  let minimized = 0;
  const perFeatureMin = new Map<string, number>();
  for (const r of disagreements) {
    const engineRow = oursEngine === 'fast' && r.reference && r.ours && r.reference !== r.ours;
    if (engineRow && r.source === 'random') {
      r.minimized = await minimize(r.scenario, r.ours!, r.reference!, true);
      minimized++;
    } else if (r.source === 'random' && r.ours && r.theirs && !r.theirsError) {
      const key = features(r.scenario).join(',');
      const n = perFeatureMin.get(key) ?? 0;
      if (n < MINIMIZE) {
        r.minimized = await minimize(r.scenario, r.ours, r.theirs);
        perFeatureMin.set(key, n + 1);
        minimized++;
      }
    }
    if (r.ours) await classify(r);
    else r.cls = `ours-error:${r.oursError}`;
  }
  const groups = new Map<string, Row[]>();
  for (const r of disagreements) {
    const k = r.cls ?? 'unclassified';
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const conf = rows.filter((r) => r.source !== 'random');
  const confAgainstExpect = conf.filter((r) => r.expect);
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    oursEngine,
    iamSimulate: (JSON.parse(readFileSync(join(repoRoot, 'tools/node_modules/@cloud-copilot/iam-simulate/package.json'), 'utf8')) as { version: string }).version,
    conformanceScenarios: conf.length,
    randomScenarios: N,
    randomFromPropertyGenerators: propsN,
    seed: SEED,
    agree: rows.length - disagreements.length,
    disagree: disagreements.filter((r) => r.theirs).length,
    theirsRejected: disagreements.filter((r) => !r.theirs).length,
    theirsRejectedTotal: rows.filter((r) => r.theirsError).length,
    fastVsReference: rows.filter((r) => r.reference && r.ours && r.reference !== r.ours).length,
    referenceErrors: rows.filter((r) => r.referenceError).length,
    conformance: {
      oursMatchesExpect: confAgainstExpect.filter((r) => r.ours === r.expect).length,
      theirsMatchesExpect: confAgainstExpect.filter((r) => r.theirs === r.expect).length,
      withExpect: confAgainstExpect.length,
    },
    minimized,
    seconds: (Date.now() - t0) / 1000,
    classes: [...groups.entries()]
      .map(([cls, rs]) => ({
        cls,
        count: rs.length,
        conformance: rs.filter((r) => r.source !== 'random').length,
        decisions: [...new Set(rs.map((r) => `ours=${r.ours ?? 'error'} theirs=${r.theirs ?? 'error'}`))],
      }))
      .sort((a, b) => b.count - a.count),
  };
  const detail = [...groups.entries()].map(([cls, rs]) => ({
    cls,
    count: rs.length,
    // conformance rows in full; random rows: the minimized ones first, then a few more
    examples: [
      ...rs.filter((r) => r.source !== 'random'),
      ...rs.filter((r) => r.source === 'random' && r.minimized),
      ...rs.filter((r) => r.source === 'random' && !r.minimized).slice(0, 3),
    ].map((r) => ({
      source: r.source,
      name: r.name,
      expect: r.expect,
      ours: r.ours ?? `error: ${r.oursError}`,
      theirs: r.theirs ?? null,
      reference: r.reference ?? r.referenceError ?? null,
      theirsEngine: r.theirsEngine,
      theirsError: r.theirsError,
      ignoredContextKeys: r.ignoredContextKeys,
      adapterNotes: r.adapterNotes,
      features: r.features,
      scenario: r.minimized ?? r.scenario,
      ...(r.minimized ? { minimizedFrom: r.scenario } : {}),
    })),
  }));
  mkdirSync(join(OUT, '..'), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ summary, groups: detail }, null, 2));
  console.log(JSON.stringify(summary, null, 2));
  console.log(`details: ${relative(process.cwd(), OUT)}`);
}

async function evalOne(source: string, s: ScenarioLike): Promise<Row> {
  const [o, t] = [await runOurs(s), await runTheirs(s)];
  const ref = oursEngine === 'fast' ? await runReference(s) : undefined;
  return {
    ...(ref?.decision ? { reference: ref.decision } : ref?.error ? { referenceError: ref.error } : {}),
    source,
    name: s.name,
    ...(s.expect ? { expect: s.expect } : {}),
    ...(o.decision ? { ours: o.decision } : { oursError: o.error }),
    ...(t.decision ? { theirs: t.decision } : {}),
    theirsEngine: t.engine,
    ...(t.error ? { theirsError: t.error } : {}),
    ignoredContextKeys: t.ignoredContextKeys,
    adapterNotes: t.notes,
    features: features(s),
    scenario: s,
  };
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
