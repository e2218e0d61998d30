/**
 * The report of a whole domain (N user profiles and spaces), built to stream: a renderer
 * writes each profile's section as its result comes (`profile`), and the summary at the
 * end (`end`) from a `DomainTally`, which keeps only counters and one status letter per
 * step per profile (a 10,000-profile domain costs a few megabytes, whatever the results).
 *
 *   const tally = new DomainTally();
 *   const r = domainRenderer('sarif', options);
 *   write(r.begin());
 *   for (const p of profiles) { tally.add(p); write(r.profile(p, tally.size)); }
 *   write(r.end(tally.summary()));
 *
 * `renderDomain(results, format)` does exactly that for results already in memory.
 */
import type { CheckResult, StepStatus } from '../../notebook-jobs/check.js';
import type { FlowSetup, Phase, Variant } from '../../notebook-jobs/flow.js';

/** One user profile or space of the domain, and its check result. */
export interface ProfileCheck {
  /** As people name it, e.g. `d-abc user profile alice`. */
  readonly label: string;
  readonly result: CheckResult;
}

export type ProfileKind = 'user-profile' | 'space';

/** Who a result is for, from its setup: the key that stays the same from run to run. */
export interface ProfileRef {
  readonly domainId: string;
  readonly kind: ProfileKind;
  readonly name: string;
}

export function profileRef(setup: FlowSetup): ProfileRef {
  return setup.spaceName !== undefined
    ? { domainId: setup.domainId, kind: 'space', name: setup.spaceName }
    : { domainId: setup.domainId, kind: 'user-profile', name: setup.userProfileName ?? '' };
}

/** `d-abc/user-profile/alice`: the profile part of fingerprints and logical locations. */
export function profileKey(setup: FlowSetup): string {
  const r = profileRef(setup);
  return `${r.domainId}/${r.kind}/${r.name}`;
}

/** One letter per status in `DomainTally` rows; `-` for a step the profile's flow does not have. */
export const STATUS_CODE: Readonly<Record<StepStatus, string>> = { pass: 'p', fail: 'f', warn: 'w', conditional: 'c', undecided: 'u' };
const CODE_STATUS: Readonly<Record<string, StepStatus>> = { p: 'pass', f: 'fail', w: 'warn', c: 'conditional', u: 'undecided' };

export function statusOfCode(code: string | undefined): StepStatus | undefined {
  return code === undefined ? undefined : CODE_STATUS[code];
}

/** A step of the domain: how many profiles it passes, fails, … for. */
export interface StepTally {
  readonly id: string;
  readonly number: string;
  readonly title: string;
  readonly phase: Phase;
  readonly required: boolean;
  readonly counts: Readonly<Record<StepStatus, number>>;
}

/** A profile of the domain, as the summary keeps it. */
export interface ProfileRow {
  readonly label: string;
  readonly ref: ProfileRef;
  readonly ok: boolean;
  readonly fail: number;
  readonly failuresAtRunTime: number;
  readonly undecided: number;
  /** One `STATUS_CODE` letter per step of `DomainSummary.steps` (in its `index` order). */
  readonly codes: string;
}

export interface DomainSummary {
  readonly profiles: number;
  /** Profiles where notebook jobs work (no required step fails or is undecided). */
  readonly ok: number;
  /** Profiles with at least one required failure. */
  readonly failing: number;
  /** Profiles with no failure but an undecided required step. */
  readonly undecided: number;
  readonly variants: readonly Variant[];
  readonly accountIds: readonly string[];
  /** Every step met, in the order first met (the order of `ProfileRow.codes`). */
  readonly steps: readonly StepTally[];
  /** Every profile, in the order added. */
  readonly rows: readonly ProfileRow[];
}

/** "What fails, for how many": the steps that fail, warn or are undecided somewhere, the most failing first. */
export function whatFails(summary: DomainSummary): { step: StepTally; index: number }[] {
  return summary.steps
    .map((step, index) => ({ step, index }))
    .filter(({ step }) => step.counts.fail + step.counts.warn + step.counts.undecided > 0)
    .sort((a, b) => b.step.counts.fail - a.step.counts.fail || b.step.counts.undecided - a.step.counts.undecided || b.step.counts.warn - a.step.counts.warn || a.index - b.index);
}

/** Labels of the profiles whose code for step `index` is `status`. */
export function profilesWith(summary: DomainSummary, index: number, status: StepStatus): string[] {
  const code = STATUS_CODE[status];
  return summary.rows.filter((r) => r.codes[index] === code).map((r) => r.label);
}

interface MutableTally {
  id: string;
  number: string;
  title: string;
  phase: Phase;
  required: boolean;
  counts: Record<StepStatus, number>;
}

/** Counters over the profiles added; nothing of a result is kept once `add` returns. */
export class DomainTally {
  private readonly steps: MutableTally[] = [];
  private readonly index = new Map<string, number>();
  private readonly rows: ProfileRow[] = [];
  private readonly variants = new Set<Variant>();
  private readonly accounts = new Set<string>();

  get size(): number {
    return this.rows.length;
  }

  /** Counts one profile; returns its 1-based number (what renderers use for element ids). */
  add(p: ProfileCheck): number {
    const r = p.result;
    this.variants.add(r.variant);
    this.accounts.add(r.setup.accountId);
    const codes: string[] = [];
    for (const o of r.steps) {
      let i = this.index.get(o.step.id);
      if (i === undefined) {
        i = this.steps.length;
        this.index.set(o.step.id, i);
        this.steps.push({ id: o.step.id, number: o.step.number, title: o.step.title, phase: o.step.phase, required: o.step.required, counts: { pass: 0, fail: 0, warn: 0, conditional: 0, undecided: 0 } });
      }
      this.steps[i]!.counts[o.status]++;
      codes[i] = STATUS_CODE[o.status];
    }
    const s = r.summary;
    this.rows.push({
      label: p.label,
      ref: profileRef(r.setup),
      ok: s.ok,
      fail: s.fail,
      failuresAtRunTime: s.failuresAtRunTime,
      undecided: s.undecided,
      codes: Array.from({ length: codes.length }, (_, i) => codes[i] ?? '-').join(''),
    });
    return this.rows.length;
  }

  summary(): DomainSummary {
    const n = this.steps.length;
    const rows = this.rows.map((r) => (r.codes.length < n ? { ...r, codes: r.codes.padEnd(n, '-') } : r));
    const failing = rows.filter((r) => r.fail > 0).length;
    const ok = rows.filter((r) => r.ok).length;
    return {
      profiles: rows.length,
      ok,
      failing,
      undecided: rows.length - ok - failing,
      variants: [...this.variants],
      accountIds: [...this.accounts],
      steps: this.steps.map((t) => ({ ...t, counts: { ...t.counts } })),
      rows,
    };
  }
}

/** The summary of results already in memory. */
export function tallyOf(results: Iterable<ProfileCheck>): DomainSummary {
  const t = new DomainTally();
  for (const p of results) t.add(p);
  return t.summary();
}

/** The verdict of a domain in one sentence. */
export function domainVerdict(s: DomainSummary): string {
  const of = (n: number, what: string): string => `${n} of ${s.profiles} ${s.profiles === 1 ? 'profile or space' : 'profiles and spaces'} ${what}`;
  if (s.ok === s.profiles) return `Notebook jobs will work for all ${s.profiles} ${s.profiles === 1 ? 'profile or space' : 'profiles and spaces'}.`;
  if (!s.failing) return `Cannot tell whether notebook jobs will work: ${of(s.undecided, 'have an undecided required step')}.`;
  const parts = [s.failing ? of(s.failing, 'fail') : '', s.undecided ? `${s.undecided} cannot be decided` : ''].filter(Boolean);
  return `Notebook jobs will not work everywhere: ${parts.join(', ')}.`;
}
