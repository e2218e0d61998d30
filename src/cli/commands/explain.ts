/**
 * `nbjob-iam explain`: one request, decided, with the statements that decided it. The
 * request comes from a scenario file or from flags naming policy files; the flags build
 * the same Scenario a file would hold, so both paths go through one engine entry point.
 */
import { explainResult } from '../../engine/explain.js';
import { simulateScenarioText } from '../../engine/simulate.js';
import type { PolicyKind } from '../../policy/model.js';
import { validatePolicyText } from '../../policy/validate.js';
import { renderFindingsText } from '../../report/index.js';
import type { FileReport } from '../../report/index.js';
import { painter, wrap } from '../../report/text-util.js';
import { maxOf, pushAll } from '../../text/sanitize.js';
import type { CommandOutput, RunContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { displayPath, readInput } from '../files.js';
import type { ExplainOptions, ExplainRequestOptions } from '../options.js';
import { entryToJson, fitLines } from './simulate.js';
import type { SimulateEntry } from './simulate.js';

/** Which file each policy of the scenario came from, in the scenario's own terms. */
export interface PolicySource {
  /** Where it sits in the scenario, e.g. `identity[1]`, `scp[0][2]`. */
  readonly slot: string;
  readonly file: string;
  readonly kind: PolicyKind;
}

export type ExplainResult =
  | { readonly kind: 'decided'; readonly entry: SimulateEntry; readonly sources: readonly PolicySource[] }
  /** A policy file with error-level findings: it must not be evaluated. */
  | { readonly kind: 'invalid-policies'; readonly reports: readonly FileReport[] };

interface LoadedPolicy {
  readonly text: string;
  readonly report: FileReport;
  readonly source: PolicySource;
}

async function loadPolicy(arg: string, slot: string, kind: PolicyKind, ctx: RunContext, maxInputBytes?: number): Promise<LoadedPolicy> {
  const input = await readInput(arg, ctx, { kind: 'policy', maxInputBytes });
  const { findings } = validatePolicyText(input.text, { kind, name: input.name });
  return {
    text: input.text,
    report: { file: input.name, kind, kindReason: `--${slot.replace(/\[.*$/, '')}`, source: input.text, findings },
    source: { slot, file: input.name, kind },
  };
}

/**
 * The resource policy's kind, decided from the request the way the engine's scenario reader
 * decides it (src/engine/scenario.ts `resourceKind`, not exported): a role's trust policy
 * for sts: on a role, a key policy for kms:, a bucket policy for s3:, else a resource policy.
 */
export function resourceKindFor(action: string, resource: string): PolicyKind {
  const a = action.toLowerCase();
  if (a.startsWith('sts:') && resource.includes(':iam::') && resource.includes(':role/')) return 'trust';
  if (a.startsWith('kms:')) return 'key';
  if (a.startsWith('s3:')) return 'bucket';
  return 'resource';
}

/**
 * Where each policy file sits in the scenario text built from the flags: the engine names
 * it `policies.<slot>` and counts lines from the top of that text.
 */
interface Placement {
  readonly engineName: string;
  readonly file: string;
  /** Line of the scenario text on which the file's first line sits. */
  readonly firstLine: number;
  readonly lastLine: number;
}

export const FLAGS_LABEL = '(command line)';

/**
 * Builds, from the flags, the scenario text a file would hold, with every policy file's
 * text placed verbatim at the start of its own lines. The engine then reads it through the
 * one entry point every scenario takes (simulateScenarioText), and a position it reports
 * maps back to the policy file by subtracting a line offset (columns are unchanged).
 */
export function scenarioTextFromFlags(o: ExplainRequestOptions, loaded: readonly LoadedPolicy[]): { text: string; placements: Placement[] } {
  const context: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(o.context)) context[k] = typeof v === 'string' ? v : [...v];
  const request = {
    principal: o.principal,
    ...(o.principalRoleArn !== undefined ? { principalRoleArn: o.principalRoleArn } : {}),
    action: o.action,
    resource: o.resource,
    ...(o.resourceAccount !== undefined ? { resourceAccount: o.resourceAccount } : {}),
    context,
    ...(o.unknownContextKeys.length > 0 ? { unknownContextKeys: [...o.unknownContextKeys] } : {}),
  };
  const lines: string[] = [`{"name": ${JSON.stringify(`${o.principal} ${o.action} ${o.resource}`)},`, `"request": ${JSON.stringify(request)},`, '"policies": {'];
  const placements: Placement[] = [];
  const bySlot = new Map(loaded.map((p) => [p.source.slot, p]));
  const place = (slot: string): void => {
    const p = bySlot.get(slot);
    if (!p) throw new Error(`no policy loaded for ${slot}`);
    const body = p.text.replace(/\r\n?/g, '\n').trimEnd().split('\n');
    const firstLine = lines.length + 1;
    pushAll(lines, body);
    placements.push({ engineName: `policies.${slot}`, file: p.source.file, firstLine, lastLine: lines.length });
  };
  const members: Array<() => void> = [];
  const list = (key: string, slots: string[]) => () => {
    lines.push(`${JSON.stringify(key)}: [`);
    slots.forEach((slot, i) => {
      place(slot);
      if (i < slots.length - 1) lines.push(',');
    });
    lines.push(']');
  };
  const single = (key: string, slot: string) => () => {
    lines.push(`${JSON.stringify(key)}:`);
    place(slot);
  };
  members.push(list('identity', o.identity.map((_, i) => `identity[${i}]`)));
  if (o.boundary !== undefined) members.push(single('permissionsBoundary', 'permissionsBoundary'));
  if (o.session.length > 0) members.push(list('session', o.session.map((_, i) => `session[${i}]`)));
  if (o.resourcePolicy !== undefined) members.push(single('resource', 'resource'));
  for (const layer of ['scp', 'rcp'] as const) {
    const levels = o[layer];
    if (!levels) continue;
    members.push(() => {
      lines.push(`${JSON.stringify(layer)}: [`);
      levels.forEach((files, l) => {
        lines.push('[');
        files.forEach((_, i) => {
          place(`${layer}[${l}][${i}]`);
          if (i < files.length - 1) lines.push(',');
        });
        lines.push(l < levels.length - 1 ? '],' : ']');
      });
      lines.push(']');
    });
  }
  if (o.vpcEndpoint !== undefined) members.push(single('vpcEndpoint', 'vpcEndpoint'));
  members.forEach((emit, i) => {
    emit();
    if (i < members.length - 1) lines.push(',');
  });
  lines.push('}}');
  return { text: lines.join('\n') + '\n', placements };
}

/** Reads every policy file the flags name, in scenario order, validated with the kind of its slot. */
async function loadFlagPolicies(o: ExplainRequestOptions, ctx: RunContext): Promise<LoadedPolicy[]> {
  const loaded: LoadedPolicy[] = [];
  const take = async (arg: string, slot: string, kind: PolicyKind) => {
    loaded.push(await loadPolicy(arg, slot, kind, ctx, o.maxInputBytes));
  };
  for (const [i, f] of o.identity.entries()) await take(f, `identity[${i}]`, 'identity');
  if (o.boundary !== undefined) await take(o.boundary, 'permissionsBoundary', 'permissions-boundary');
  for (const [i, f] of o.session.entries()) await take(f, `session[${i}]`, 'session');
  if (o.resourcePolicy !== undefined) await take(o.resourcePolicy, 'resource', resourceKindFor(o.action, o.resource));
  for (const layer of ['scp', 'rcp'] as const) {
    for (const [l, files] of (o[layer] ?? []).entries()) {
      for (const [i, f] of files.entries()) await take(f, `${layer}[${l}][${i}]`, layer);
    }
  }
  if (o.vpcEndpoint !== undefined) await take(o.vpcEndpoint, 'vpcEndpoint', 'vpc-endpoint');
  return loaded;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Maps what the engine says about the built scenario back to the policy files: policy
 * names become file names, lines become the files' lines. Presentation only: the decision
 * is the engine's.
 */
export function mapToFiles<T>(value: T, placements: readonly Placement[]): T {
  const byName = new Map(placements.map((p) => [p.engineName, p]));
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  const namePattern = names.length > 0 ? new RegExp(names.map(escapeRegExp).join('|'), 'g') : undefined;
  const positionPattern = new RegExp(`${escapeRegExp(FLAGS_LABEL)}:(\\d+):(\\d+)(: (${names.map(escapeRegExp).join('|') || '(?!)'}))?`, 'g');
  const mapString = (s: string): string => {
    let out = s.replace(positionPattern, (whole: string, line: string, column: string, _tail?: string, name?: string) => {
      const n = Number(line);
      const p = name !== undefined ? byName.get(name) : placements.find((x) => n >= x.firstLine && n <= x.lastLine);
      if (!p || n < p.firstLine || n > p.lastLine) return whole;
      return `${p.file}:${n - p.firstLine + 1}:${column}`;
    });
    if (namePattern) out = out.replace(namePattern, (name) => byName.get(name)?.file ?? name);
    return out;
  };
  const walk = (v: unknown, current: Placement | undefined): unknown => {
    if (typeof v === 'string') return mapString(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, current));
    if (v === null || typeof v !== 'object') return v;
    const rec = v as Record<string, unknown>;
    const own = typeof rec['policy'] === 'string' ? byName.get(rec['policy']) : undefined;
    const here = own ?? current;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(rec)) {
      if (k === 'line' && typeof x === 'number' && here && x >= here.firstLine) out[k] = x - here.firstLine + 1;
      else out[k] = walk(x, here);
    }
    return out;
  };
  return walk(value, undefined) as T;
}

export async function run(options: ExplainOptions, ctx: RunContext): Promise<ExplainResult> {
  if (options.mode === 'scenario') {
    const input = await readInput(options.scenario, ctx, { kind: 'scenario', maxInputBytes: options.maxInputBytes });
    const file = input.absolutePath ? displayPath(ctx.cwd, input.absolutePath) : input.name;
    return { kind: 'decided', entry: { ...simulateScenarioText(input.text, file, { validate: true }), file }, sources: [] };
  }
  const loaded = await loadFlagPolicies(options, ctx);
  const bad = loaded.filter((p) => p.report.findings.some((f) => f.severity === 'error'));
  if (bad.length > 0) return { kind: 'invalid-policies', reports: bad.map((p) => p.report) };
  const { text, placements } = scenarioTextFromFlags(options, loaded);
  const raw = simulateScenarioText(text, FLAGS_LABEL, { validate: true });
  // Positions now point into the policy files, so the explanation names files itself.
  const { file: _file, ...mapped } = mapToFiles(raw, placements);
  const entry: SimulateEntry = { ...mapped, explanation: explainResult(mapped), file: FLAGS_LABEL };
  return { kind: 'decided', entry, sources: loaded.map((p) => p.source) };
}

/**
 * 0 allowed (and its expectation, if any, met), 1 denied or an expectation not met (even
 * when the request is allowed); 2 when there is no decision because the input is bad (a
 * malformed scenario, a policy IAM would reject or validate calls an error): that is not a
 * denial (docs/exit-codes.md).
 */
export function exitCodeOf(result: ExplainResult): number {
  if (result.kind === 'invalid-policies') return EXIT.usage;
  const e = result.entry;
  if (typeof e.error === 'string' && e.error !== '') return EXIT.usage;
  if (e.expected !== undefined && e.expected !== null && e.expected !== e.decision) return EXIT.failed;
  return e.decision === 'Allow' ? EXIT.ok : EXIT.failed;
}

export function renderText(result: ExplainResult, ctx: Pick<RunContext, 'color'>, width = 80): string {
  if (result.kind === 'invalid-policies') {
    return (
      renderFindingsText(result.reports, { color: ctx.color, width }) +
      '\nThese policies have errors that IAM would reject; fix them, then explain again.\n'
    );
  }
  const paint = painter(ctx.color);
  const e = result.entry;
  const out: string[] = [];
  if (typeof e.error === 'string' && e.error !== '') {
    pushAll(out, fitLines(e.error, width));
    if (e.invalidPolicy !== undefined) {
      pushAll(out, fitLines('Nothing was decided: a policy that validate calls an error is never evaluated (a Deny it holds could silently drop). Fix it, then explain again.', width));
    }
    return out.join('\n') + '\n';
  }
  const decision = String(e.decision);
  out.push(`${paint('bold', 'Decision:')} ${paint(decision === 'Allow' ? 'green' : 'red', decision)}`);
  if (e.expected !== undefined && e.expected !== null) {
    out.push(`Expected: ${String(e.expected)} (${e.decision === e.expected ? 'met' : 'NOT met'})`);
  }
  // The engine's explanation starts with the decision, said above; the rest is indented under it.
  const explanation = e.explanation.split('\n');
  const body = explanation[0]?.startsWith(decision) ? explanation.slice(1).map((l) => l.replace(/^ {2}/, '')) : explanation;
  if (body.length > 0) pushAll(out, ['', ...fitLines(body.join('\n'), width)]);
  if (result.sources.length > 0) {
    out.push('', 'Policies:');
    const slotWidth = maxOf(result.sources.map((s) => s.slot.length));
    for (const s of result.sources) {
      const head = `  ${s.slot.padEnd(slotWidth)}  `;
      const lines = wrap(`${s.file} (${s.kind})`, width - head.length, '');
      lines.forEach((l, i) => out.push(`${i === 0 ? head : ' '.repeat(head.length)}${l}`));
    }
  }
  return out.join('\n') + '\n';
}

export function present(result: ExplainResult, options: ExplainOptions, ctx: RunContext): CommandOutput {
  const exitCode = exitCodeOf(result);
  if (options.format === 'json') {
    const json =
      result.kind === 'invalid-policies'
        ? { error: 'policies with errors cannot be evaluated', findings: result.reports.flatMap((r) => r.findings.map((f) => ({ file: r.file, ...f }))) }
        : { ...entryToJson(result.entry), policies: result.sources };
    return { stdout: JSON.stringify(json, null, 2) + '\n', exitCode };
  }
  return { stdout: renderText(result, ctx), exitCode };
}

export async function execute(options: ExplainOptions, ctx: RunContext): Promise<CommandOutput> {
  if (options.mode === 'scenario' && options.scenario === '-') throw new CliError('explain reads a scenario file, not standard input', EXIT.usage, 'explain');
  return present(await run(options, ctx), options, ctx);
}

