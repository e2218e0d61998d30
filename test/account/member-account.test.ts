/**
 * Member-account snapshots. A member account cannot list the SCPs that govern it
 * (ListParents, ListPoliciesForTarget and DescribePolicy need the management account or a
 * delegated administrator: "AWS Organizations: Managing access permissions"). Then every
 * step an SCP could deny is undecided, named "organization SCPs not read", never a pass with a
 * note; `snapshot --org-profile` reads the organization with a second profile and
 * `--merge-org` merges one read separately (folder of CLI outputs or a snapshot file).
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotFromCliDir } from '../../src/account/from-cli.js';
import { readLiveSnapshot, runSnapshot } from '../../src/account/live.js';
import { mergeOrganizationFrom } from '../../src/account/merge-org.js';
import type { AccountSnapshot } from '../../src/account/snapshot.js';
import { check } from '../../src/notebook-jobs/check.js';
import type { CheckResult } from '../../src/notebook-jobs/check.js';
import { engineEvaluator } from '../../src/notebook-jobs/evaluate.js';
import { readFileSync } from 'node:fs';
import { fakeAws } from './live-mock-account.js';

const example = JSON.parse(readFileSync(new URL('../../examples/account.json', import.meta.url), 'utf8')) as AccountSnapshot;
const CLI = new URL('../../examples/aws-cli', import.meta.url).pathname;
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const selection = { jobRoleArn: 'arn:aws:iam::111122223333:role/NotebookJobRole', outputKmsKeyArn: KEY, volumeKmsKeyArn: KEY };
const noWait = (): Promise<void> => Promise.resolve();
/** What a member account's own credentials may not call. */
const MEMBER_DENIED = ['organizations:ListRoots', 'organizations:ListParents', 'organizations:ListPoliciesForTarget', 'organizations:DescribePolicy'];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'nbjob-member-'));
  dirs.push(d);
  return d;
}

function runCheck(s: AccountSnapshot): CheckResult {
  const out = check(s, selection, { variant: 'schedule', evaluate: engineEvaluator() });
  if (!out.ok) throw new Error(out.message);
  return out.result;
}

/** Steps an SCP applies to: made by a role of the account (SCPs do not restrict service principals). */
const scpSteps = (r: CheckResult) => r.steps.filter((o) => o.step.layers.includes('scp') && !o.step.caller.startsWith('service:'));

function expectScpStepsUndecided(r: CheckResult): void {
  const steps = scpSteps(r);
  expect(steps.length).toBeGreaterThan(30);
  // Nothing an SCP could deny passes.
  expect(steps.filter((o) => o.status === 'pass' || o.status === 'conditional').map((o) => o.step.id)).toEqual([]);
  const undecided = steps.filter((o) => o.status === 'undecided');
  expect(undecided.length).toBeGreaterThan(20);
  for (const o of undecided) expect(o.missing?.some((m) => m.startsWith('organization SCPs not read'))).toBe(true);
  // A denial by the account's own policies stands: unread SCPs can only deny more.
  expect(r.steps.find((o) => o.step.id === 'schedule.pass-job-role-events')?.status).toBe('fail');
  expect(r.summary.ok).toBe(false);
}

describe('member account, live read with its own credentials (aws-sdk-client-mock)', () => {
  it('SCPs not readable: the snapshot says so in organization.scpsUnread and check leaves SCP steps undecided', async () => {
    const aws = fakeAws(example, { deny: MEMBER_DENIED });
    const { snapshot } = await readLiveSnapshot(aws.clients, { kmsKeys: ['alias/notebook-jobs'], sleep: noWait });
    aws.reset();
    expect(snapshot.organization?.scpsUnread).toMatch(/--org-profile/);
    expectScpStepsUndecided(runCheck(snapshot));
  });

  it('DescribeOrganization itself denied: membership unknown, SCP steps undecided (not "not in an organization")', async () => {
    const aws = fakeAws(example, { deny: ['organizations:DescribeOrganization', ...MEMBER_DENIED] });
    const { snapshot } = await readLiveSnapshot(aws.clients, { kmsKeys: ['alias/notebook-jobs'], sleep: noWait });
    aws.reset();
    expect(snapshot.organization).toBeUndefined();
    expectScpStepsUndecided(runCheck(snapshot));
  });

  it('--org-profile: Organizations read with the management account\'s client gives the real SCPs and the example\'s verdicts', async () => {
    const member = fakeAws(example, { deny: MEMBER_DENIED });
    const management = fakeAws(example);
    const result = await runSnapshot({ sleep: noWait, kmsKeys: ['alias/notebook-jobs'] }, member.clients, { organizations: management.clients.organizations });
    expect(management.sent.filter((op) => op.startsWith('organizations:')).length).toBeGreaterThan(5);
    expect(member.sent.filter((op) => op.startsWith('organizations:'))).toEqual([]);
    member.reset();
    management.reset();
    expect(result.snapshot.organization?.scpsUnread).toBeUndefined();
    expect(result.snapshot.organization?.path.map((l) => l.id)).toEqual(['r-a1b2', 'ou-a1b2-ml000001', '111122223333']);
    const r = runCheck(result.snapshot);
    expect(r.steps.find((o) => o.step.id === 'run.create-training-job')).toMatchObject({ status: 'fail', decision: 'ExplicitDeny', decidedBy: { layer: 'scp' } });
    expect(scpSteps(r).filter((o) => o.status === 'undecided')).toEqual([]);
  });
});

describe('member account, saved AWS CLI output without the organization files', () => {
  const memberDir = (): string => {
    const d = tmp();
    cpSync(CLI, d, { recursive: true });
    for (const f of readdirSync(d)) if (f.startsWith('organizations-') && f !== 'organizations-describe-organization.json') rmSync(join(d, f));
    return d;
  };

  it('describe-organization saved, the rest not: SCP steps are undecided, named', () => {
    const { snapshot } = snapshotFromCliDir(memberDir());
    expect(snapshot.organization?.scpsUnread).toMatch(/--merge-org/);
    expectScpStepsUndecided(runCheck(snapshot));
  });

  it('--merge-org DIR: the organization files saved by the management account are merged and decide the SCP steps', () => {
    const { snapshot } = snapshotFromCliDir(memberDir());
    const orgDir = tmp();
    for (const f of readdirSync(CLI)) if (f.startsWith('organizations-')) cpSync(join(CLI, f), join(orgDir, f));
    const merged = mergeOrganizationFrom(snapshot, orgDir);
    if (!merged.ok) throw new Error(JSON.stringify(merged.errors));
    expect(merged.snapshot.organization?.scpsUnread).toBeUndefined();
    expect((merged.snapshot.gaps ?? []).filter((g) => /organization/i.test(g.what))).toEqual([]);
    const r = runCheck(merged.snapshot);
    expect(r.steps.find((o) => o.step.id === 'run.create-training-job')).toMatchObject({ status: 'fail', decidedBy: { layer: 'scp' } });
    expect(scpSteps(r).filter((o) => o.status === 'undecided')).toEqual([]);
  });

  it('--merge-org FILE refuses an organization path of another account, naming both', () => {
    const { snapshot } = snapshotFromCliDir(memberDir());
    const other = structuredClone(example) as unknown as { organization: { path: { id: string }[] } };
    other.organization.path[2]!.id = '444455556666';
    const file = join(tmp(), 'org.json');
    writeFileSync(file, JSON.stringify(other));
    const merged = mergeOrganizationFrom(snapshot, file);
    expect(merged.ok).toBe(false);
    if (!merged.ok) expect(merged.errors[0]?.message).toMatch(/account 444455556666, not for 111122223333/);
  });
});
