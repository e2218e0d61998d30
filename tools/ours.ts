/**
 * Loads our engine for the tools. Prefers the TypeScript sources (run through tsx, so no
 * build is needed and the run always sees the working tree); falls back to dist/.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { Decision, ScenarioLike } from './adapter.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..');

export interface OurResult {
  decision?: Decision;
  error?: string;
}

type SimulateFn = (scenario: unknown, options?: unknown) => unknown;

let cached: SimulateFn | undefined;
/** Which of our engines answered: 'fast' (simulateScenario) or 'reference' (referenceDecide). */
export let oursEngine: 'fast' | 'reference' | undefined;

/**
 * `which`: 'fast' = src/engine/simulate.ts simulateScenario; 'reference' =
 * src/engine/reference.ts referenceDecide; 'auto' = fast if present, else reference.
 */
export async function loadOurs(which: 'fast' | 'reference' | 'auto' = (process.env['OURS_ENGINE'] as 'fast' | 'reference' | undefined) ?? 'auto'): Promise<SimulateFn> {
  if (cached) return cached;
  const haveFast = existsSync(join(repoRoot, 'src/engine/simulate.ts')) || existsSync(join(repoRoot, 'src/engine/authorize.ts'));
  if (which === 'reference' || (which === 'auto' && !haveFast)) {
    const ref = join(repoRoot, 'src/engine/reference.ts');
    if (existsSync(ref)) {
      const mod = (await import(pathToFileURL(ref).href)) as Record<string, unknown>;
      const decide = mod['referenceDecide'] as ((s: unknown, o?: unknown) => string) | undefined;
      if (typeof decide === 'function') {
        cached = (s: unknown) => ({ decision: decide(s, (s as { options?: unknown }).options) });
        oursEngine = 'reference';
        return cached;
      }
    }
    if (which === 'reference') throw new Error('src/engine/reference.ts referenceDecide is not available');
  }
  // No simulateScenario yet: drive the compiled API (read → compile → authorize) directly.
  if (!existsSync(join(repoRoot, 'src/engine/simulate.ts')) && existsSync(join(repoRoot, 'src/engine/authorize.ts'))) {
    cached = await authorizeDriver();
    oursEngine = 'fast';
    return cached;
  }
  const candidates = [
    join(repoRoot, 'src/engine/simulate.ts'),
    join(repoRoot, 'dist/engine/simulate.js'),
    join(repoRoot, 'dist/index.js'),
  ];
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const mod = (await import(pathToFileURL(c).href)) as Record<string, unknown>;
    const fn = mod['simulateScenario'];
    if (typeof fn === 'function') {
      cached = fn as SimulateFn;
      oursEngine = 'fast';
      return cached;
    }
  }
  throw new Error(
    'our engine is not available: no simulateScenario in src/engine/simulate.ts, dist/engine/simulate.js or dist/index.js',
  );
}

/** Runs one scenario through our engine; `optionOverrides` are merged into scenario.options. */
export async function runOurs(s: ScenarioLike, optionOverrides?: Record<string, unknown>): Promise<OurResult> {
  const fn = await loadOurs();
  const scenario = optionOverrides ? { ...s, options: { ...(s.options ?? {}), ...optionOverrides } } : s;
  try {
    // Options travel in scenario.options (the format's own field) and, for engines whose second
    // parameter is Partial<EvaluationOptions>, as the second argument too.
    const res = (await fn(scenario, scenario.options)) as {
      decision?: Decision;
      error?: string;
    };
    if (res && typeof res === 'object' && res.decision) return { decision: res.decision };
    return { error: res?.error ?? 'no decision' };
  } catch (e) {
    return { error: `threw: ${(e as Error).message}` };
  }
}

/** The policy kind of a scenario's resource policy (decides grammar and principal rules). */
export function resourceKind(action: string): string {
  const a = action.toLowerCase();
  if (a.startsWith('sts:assumerole')) return 'trust';
  if (a.startsWith('s3:')) return 'bucket';
  if (a.startsWith('kms:')) return 'key';
  return 'resource';
}

/**
 * scenario → src/engine/authorize.ts, used until src/engine/simulate.ts exists. Policies are
 * read with src/policy/read.ts and compiled with src/engine/compile.ts (a compile cache by
 * document identity keeps repeated runs of one scenario cheap).
 */
async function authorizeDriver(): Promise<SimulateFn> {
  const imp = async (p: string): Promise<Record<string, unknown>> =>
    (await import(pathToFileURL(join(repoRoot, p)).href)) as Record<string, unknown>;
  const read = await imp('src/policy/read.ts');
  const compile = await imp('src/engine/compile.ts');
  const auth = await imp('src/engine/authorize.ts');
  const readPolicyValue = read['readPolicyValue'] as (v: unknown, o: { kind: string; name: string }) => { policy?: unknown; findings: Array<{ message: string }> };
  const compilePolicy = compile['compilePolicy'] as (p: unknown) => unknown;
  const authorize = auth['authorize'] as (r: unknown, p: unknown, o: unknown) => { decision: Decision };
  const c = (doc: unknown, kind: string, name: string): unknown => {
    const r = readPolicyValue(doc, { kind, name });
    if (!r.policy) throw new Error(`${name}: ${r.findings.map((f) => f.message).join('; ')}`);
    return compilePolicy(r.policy);
  };
  return (scenario: unknown) => {
    const s = scenario as ScenarioLike;
    const p = s.policies ?? {};
    const policies = {
      ...(p.identity ? { identity: p.identity.map((d, i) => c(d, 'identity', `identity-${i}`)) } : {}),
      ...(p.permissionsBoundary !== undefined ? { permissionsBoundary: c(p.permissionsBoundary, 'permissions-boundary', 'boundary') } : {}),
      ...(p.session ? { session: p.session.map((d, i) => c(d, 'session', `session-${i}`)) } : {}),
      ...(p.resource !== undefined ? { resource: c(p.resource, resourceKind(s.request.action), 'resource') } : {}),
      ...(p.scp ? { scp: p.scp.map((l, i) => l.map((d, j) => c(d, 'scp', `scp-${i}-${j}`))) } : {}),
      ...(p.rcp ? { rcp: p.rcp.map((l, i) => l.map((d, j) => c(d, 'rcp', `rcp-${i}-${j}`))) } : {}),
      ...(p.vpcEndpoint !== undefined ? { vpcEndpoint: c(p.vpcEndpoint, 'vpc-endpoint', 'vpce') } : {}),
    };
    return { decision: authorize(s.request, policies, { ...(s.options ?? {}), trace: false }).decision };
  };
}

let refFn: ((s: unknown, o?: unknown) => string) | undefined | null;
/** Our reference evaluator (src/engine/reference.ts), for a three-way comparison; undefined if absent. */
export async function runReference(s: ScenarioLike): Promise<OurResult | undefined> {
  if (refFn === undefined) {
    const ref = join(repoRoot, 'src/engine/reference.ts');
    refFn = null;
    if (existsSync(ref)) {
      const mod = (await import(pathToFileURL(ref).href)) as Record<string, unknown>;
      if (typeof mod['referenceDecide'] === 'function') refFn = mod['referenceDecide'] as (s: unknown, o?: unknown) => string;
    }
  }
  if (!refFn) return undefined;
  try {
    return { decision: refFn(s, s.options) as Decision };
  } catch (e) {
    return { error: `threw: ${(e as Error).message}` };
  }
}
