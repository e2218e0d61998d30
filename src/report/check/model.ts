/**
 * What every renderer of a `CheckResult` says the same way: phases in time order, when a
 * failure shows, marks, what a fix target is and who owns it, which merged fix resolves
 * which steps. Pure functions over the result; no formatting for a medium here.
 */
import type { CheckResult, StepOutcome, StepStatus } from '../../notebook-jobs/check.js';
import type { FlowOptions, Phase, Variant } from '../../notebook-jobs/flow.js';
import type { Fix, FixOwner, FixTarget } from '../../notebook-jobs/fixes.js';
import { describeTarget } from '../../notebook-jobs/fixes.js';

/** Phases in the order they happen. */
export const PHASE_ORDER: readonly Phase[] = ['form', 'submit', 'run-now', 'schedule', 'run', 'manage'];

export const STATUS_ORDER: readonly StepStatus[] = ['fail', 'warn', 'undecided', 'conditional', 'pass'];

/** One character per status, for terminals and tables. */
export const MARK: Readonly<Record<StepStatus, string>> = {
  pass: '✓',
  fail: '✗',
  warn: '!',
  undecided: '?',
  conditional: '~',
};

export const STATUS_LABEL: Readonly<Record<StepStatus, string>> = {
  pass: 'pass',
  fail: 'fail',
  warn: 'warning',
  undecided: 'undecided',
  conditional: 'conditional pass',
};

/** A phase as people name it. */
export function phaseTitle(phase: Phase, variant: Variant): string {
  switch (phase) {
    case 'form':
      return 'Opening the Create notebook job form';
    case 'submit':
      return 'Submitting the job';
    case 'run-now':
      return 'Starting the job (Run now)';
    case 'schedule':
      return 'Scheduling the job (job definition)';
    case 'run':
      return variant === 'schedule' ? 'Every scheduled run (hours later)' : 'While the job runs (after submitting)';
    case 'manage':
      return 'Viewing and managing jobs in Studio';
  }
}

/**
 * When a failure of a phase shows. The split that matters to people: failures seen at once,
 * where they submit or schedule, and failures that only show when the job runs.
 */
export type Timing = 'at-once' | 'run-time' | 'manage';

export function timingOf(phase: Phase): Timing {
  if (phase === 'run') return 'run-time';
  if (phase === 'manage') return 'manage';
  return 'at-once';
}

/** "Fails when …" for one phase: what the person sees and when. */
export function whenItFails(phase: Phase, variant: Variant): string {
  switch (phase) {
    case 'form':
      return 'when you open the Create notebook job form (the form does not load)';
    case 'submit':
      return variant === 'schedule'
        ? 'when you schedule the job: Create shows the error at once'
        : 'when you submit the job: Create shows the error at once';
    case 'run-now':
      return 'when you submit the job (Run now): Create shows the error at once';
    case 'schedule':
      return 'when you schedule the job: Create shows the error at once';
    case 'run':
      return variant === 'schedule'
        ? 'later, at every run, hours after scheduling (scheduling itself succeeds)'
        : 'later, when the job runs (submitting it succeeds)';
    case 'manage':
      return 'when you list, open, download, pause or delete jobs in Studio';
  }
}

/** Heading of a group of failures by timing. */
export function timingTitle(timing: Timing, variant: Variant): string {
  switch (timing) {
    case 'at-once':
      return variant === 'schedule' ? 'Fails when you schedule (you see the error at once)' : 'Fails when you submit (you see the error at once)';
    case 'run-time':
      return variant === 'schedule'
        ? 'Fails later, at every run (hours after scheduling; scheduling succeeds)'
        : 'Fails later, when the job runs (submitting succeeds)';
    case 'manage':
      return 'Fails when you view or manage jobs in Studio';
  }
}

export function variantTitle(variant: Variant): string {
  switch (variant) {
    case 'schedule':
      return 'on a schedule';
    case 'run-now':
      return 'run now';
    case 'local':
      return 'from local JupyterLab';
  }
}

/** The open questions a step can depend on (docs/notebook-job-flow.md §6). */
export const OPEN_QUESTION: Readonly<Record<keyof FlowOptions, string>> = {
  createTimeResourceTags: "whether aws:ResourceTag/* carries the request's tags when a resource is created (no AWS page settles it; spec §6.1)",
  kmsValidationAtSubmit: "whether SageMaker checks the KMS keys with the caller's credentials at submit (spec §5.5)",
};

/** The outcomes of a step under each answer of its open question, the assumed one first. */
export function dependsOnLines(o: StepOutcome): string[] {
  const deps = o.dependsOn ?? [];
  return deps.map((d, i) => `${d.option} = ${d.value}: ${d.decision}${i === 0 ? ' (assumed here)' : ''}`);
}

export function lastSegment(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/** Who calls, as people name it. */
export function callerLabel(o: StepOutcome, result: Pick<CheckResult, 'setup'>): string {
  const c = o.step.caller;
  if (c === 'studio') return `Studio role ${lastSegment(result.setup.studioRoleArn)}`;
  if (c.startsWith('service:')) return `service ${c.slice('service:'.length)}`;
  const via: Record<string, string> = {
    'job-events': 'as EventBridge runs it',
    'job-pipeline': 'as the pipeline runs it',
    'job-training': 'as the training job runs it',
    'job-container': 'inside the job container',
  };
  return `job role ${lastSegment(result.setup.jobRoleArn)} (${via[c] ?? c})`;
}

/** What the decision means, in a sentence. */
export function decisionText(o: StepOutcome): string {
  switch (o.decision) {
    case 'Allow':
      return o.allowWhen ? 'Allow, only when the condition below holds' : 'Allow';
    case 'ExplicitDeny':
      return 'ExplicitDeny (a Deny statement matches the request)';
    case 'ImplicitDeny':
      return o.decidedBy ? `ImplicitDeny (the ${LAYER_LABEL[o.decidedBy.layer] ?? o.decidedBy.layer} below does not allow it)` : 'ImplicitDeny (no statement allows it)';
    case 'Undecided':
      return 'Undecided: the snapshot lacks what decides it';
  }
}

export const LAYER_LABEL: Readonly<Record<string, string>> = {
  identity: 'identity policy',
  permissionsBoundary: 'permissions boundary',
  session: 'session policy',
  resource: 'resource policy',
  scp: 'service control policy',
  rcp: 'resource control policy',
  vpcEndpoint: 'VPC endpoint policy',
};

/** "SCP X (attached to …), statement DenyFoo (#1)"; for an implicit deny, every policy of the layer. */
export function decidedByText(o: StepOutcome): string | undefined {
  const d = o.decidedBy;
  if (!d) return undefined;
  if (d.noAllowIn) return `${LAYER_LABEL[d.layer] ?? d.layer}: no statement of ${d.noAllowIn.length > 0 ? d.noAllowIn.join(', ') : d.policy} allows it`;
  const parts = [`${LAYER_LABEL[d.layer] ?? d.layer}: ${d.policy}`];
  if (d.sid !== undefined) parts.push(`statement ${d.sid}`);
  else if (d.statementIndex !== undefined) parts.push(`statement #${d.statementIndex + 1}`);
  return parts.join(', ');
}

/** An implicit deny's nearest miss: "NotebookJobPolicy (inline policy of role R), statement ReadInput, line 12: resource … is not in Resource (…)". */
export function nearestMissText(o: StepOutcome): string | undefined {
  const m = o.decidedBy?.nearestMiss;
  if (!m) return undefined;
  const st = m.sid !== undefined ? `statement ${m.sid}` : `statement #${m.statementIndex + 1}`;
  return `${m.policy}, ${st}${m.line > 0 ? `, line ${m.line}` : ''}: ${m.misses.length > 0 ? m.misses.join('; ') : 'its action matches'}`;
}

export const OWNER_LABEL: Readonly<Record<FixOwner, string>> = {
  account: 'your IAM admins',
  organization: 'the organization admins (SCP/RCP)',
  'key-owner': 'the KMS key owner',
  network: 'the network team (VPC endpoint)',
  'bucket-owner': 'the bucket owner',
};

/** Where a fix goes, as people name it (one wording for every report: fixes.ts). */
export const targetText: (t: FixTarget) => string = describeTarget;

/** A fix as one imperative line, made from its target and content (not its summary). */
export function fixTitle(f: Fix): string {
  if (f.target.kind === 'profile-tags') {
    const tags = Object.entries(f.tags ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    return `Add tags ${tags} to the ${targetText(f.target)}`;
  }
  const actions = f.statement?.['Action'];
  const list = Array.isArray(actions) ? actions.join(', ') : typeof actions === 'string' ? actions : '';
  const verb = f.target.kind === 'role-policy' ? 'Add to (or create)' : 'Add to';
  return `${verb} the ${targetText(f.target)}: allow ${list}`;
}

/** What is added: the statement, or the tags. */
export function fixContent(f: Fix): unknown {
  return f.statement ?? f.tags ?? {};
}

function sameStatementBesidesActions(a: Fix, b: Fix): boolean {
  const strip = (f: Fix): string => {
    const { Action: _a, Sid: _s, ...rest } = (f.statement ?? {}) as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  return strip(a) === strip(b);
}

function actionsOf(f: Fix): string[] {
  const a = f.statement?.['Action'];
  return Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : typeof a === 'string' ? [a] : [];
}

/** For each merged fix of the result, the steps whose own fix it contains. */
export function stepsPerFix(result: CheckResult): StepOutcome[][] {
  return result.fixes.map((merged) =>
    result.steps.filter((o) => {
      const f = o.fix;
      if (!f || JSON.stringify(f.target) !== JSON.stringify(merged.target)) return false;
      if (merged.target.kind === 'profile-tags') return true;
      const have = actionsOf(merged);
      return sameStatementBesidesActions(f, merged) && actionsOf(f).every((a) => have.includes(a));
    }),
  );
}

/** A merged fix as the human formats list it: the steps it fixes, and whether they are all optional. */
export interface Change {
  readonly fix: Fix;
  readonly steps: readonly StepOutcome[];
  /** Only warnings go away: notebook jobs work without it. */
  readonly optional: boolean;
}

/** The merged fixes, those that fix a required step first (numbered in this order by every human format). */
export function changes(result: CheckResult): Change[] {
  const per = stepsPerFix(result);
  const all = result.fixes.map((fix, i) => {
    const steps = per[i] ?? [];
    return { fix, steps, optional: steps.length > 0 && steps.every((o) => !o.step.required) };
  });
  return [...all.filter((c) => !c.optional), ...all.filter((c) => c.optional)];
}

/** The number (1-based) of the change that carries a step's fix, if any. */
export function changeNumber(list: readonly Change[], o: StepOutcome): number | undefined {
  const i = list.findIndex((c) => c.steps.includes(o));
  return i < 0 ? undefined : i + 1;
}

/** The outcomes in phase order (the flow's own order within a phase). */
export function byPhase(result: CheckResult): { phase: Phase; steps: StepOutcome[] }[] {
  return PHASE_ORDER.map((phase) => ({ phase, steps: result.steps.filter((o) => o.step.phase === phase) })).filter((g) => g.steps.length > 0);
}

/** Steps a reader must look at: everything but plain passes that do not depend on an open question. */
export function isNotable(o: StepOutcome): boolean {
  return o.status !== 'pass' || (o.dependsOn?.length ?? 0) > 0;
}

/** How the CI gate (gate.ts) names a step it leaves out, in the notes. */
export const NOT_SHOWN = 'not shown: ';

/** The verdict in one sentence. */
export function verdictLine(result: CheckResult): string {
  const s = result.summary;
  const hidden = result.notes.filter((n) => n.startsWith(NOT_SHOWN)).length;
  if (hidden > 0) {
    // Known failures are left out: never say that notebook jobs work.
    const known = `${hidden} known finding${hidden === 1 ? '' : 's'} not shown (see the notes)`;
    if (s.fail === 0 && s.undecided === 0) return `Nothing new: ${known}.`;
    return `New: ${s.fail} failure${s.fail === 1 ? '' : 's'}, ${s.undecided} undecided; ${known}.`;
  }
  if (s.ok) {
    const extra = [s.warn ? `${s.warn} warning${s.warn === 1 ? '' : 's'}` : '', s.conditional ? `${s.conditional} conditional` : '']
      .filter(Boolean)
      .join(', ');
    return `Notebook jobs will work${extra ? ` (${extra})` : ''}.`;
  }
  if (s.fail === 0) return `Cannot tell whether notebook jobs will work: ${s.undecided} required step${s.undecided === 1 ? '' : 's'} undecided.`;
  return `Notebook jobs will not work: ${s.fail} failure${s.fail === 1 ? '' : 's'}.`;
}

/** `59 steps: 44 pass, 10 fail (3 at once, 7 at run time), …`. */
export function summaryText(result: CheckResult): string {
  const s = result.summary;
  const manage = s.fail - s.failuresAtRunTime - s.failuresAtSubmit;
  const when = [
    `${s.failuresAtSubmit} when you ${result.variant === 'schedule' ? 'schedule' : 'submit'}`,
    `${s.failuresAtRunTime} at run time`,
    ...(manage > 0 ? [`${manage} when managing`] : []),
  ].join(', ');
  return `${s.steps} steps: ${s.pass} pass, ${s.fail} fail (${when}), ${s.warn} warn, ${s.conditional} conditional, ${s.undecided} undecided`;
}

export function setupRows(result: CheckResult): [string, string][] {
  const s = result.setup;
  const rows: [string, string][] = [
    ['account', `${s.accountId} (${s.partition ?? 'aws'}), region ${s.region}`],
    ['domain', `${s.domainId}${s.vpcOnly ? `, VpcOnly${s.vpcId ? ` in ${s.vpcId}` : ''}${s.s3VpcEndpointId ? `, S3 endpoint ${s.s3VpcEndpointId}` : ''}` : ', public internet'}`],
    s.spaceName ? ['space', s.spaceName] : ['profile', s.userProfileName ?? '(default)'],
  ];
  const tags = Object.entries(s.profileTags);
  if (tags.length) rows.push(['tags', tags.map(([k, v]) => `${k}=${v}`).join(', ')]);
  rows.push(['Studio role', s.studioRoleArn], ['job role', s.jobRoleArn], ['variant', `${result.variant} (${variantTitle(result.variant)})`]);
  rows.push(['buckets', s.inputBucket === s.outputBucket ? s.inputBucket : `input ${s.inputBucket}, output ${s.outputBucket}`]);
  if (s.outputKmsKeyArn || s.volumeKmsKeyArn) {
    rows.push([
      'KMS keys',
      s.outputKmsKeyArn === s.volumeKmsKeyArn ? `${s.outputKmsKeyArn} (output and volume)` : [s.outputKmsKeyArn ? `output ${s.outputKmsKeyArn}` : '', s.volumeKmsKeyArn ? `volume ${s.volumeKmsKeyArn}` : ''].filter(Boolean).join(', '),
    ]);
  }
  return rows;
}
