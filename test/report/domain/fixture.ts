/** A domain of two profiles and a space, built from the bundled example (test helper). */
import type { AccountSnapshot } from '../../../src/account/snapshot.js';
import { check } from '../../../src/notebook-jobs/check.js';
import { engineEvaluator } from '../../../src/notebook-jobs/evaluate.js';
import type { Variant } from '../../../src/notebook-jobs/flow.js';
import type { Selection } from '../../../src/notebook-jobs/setup.js';
import type { ProfileCheck } from '../../../src/report/check/domain.js';
import { exampleSnapshot, JOB_ROLE, KEY } from '../check/fixture.js';

/** A profile name no report may render as markup or script. */
export const EVIL_NAME = '<img src=x onerror="document.title=1">"\'</script><script>document.title=2</script>';

/**
 * The example account with a second user profile `bob` (tagged cost-center: one failure fewer than
 * alice), a space, and, when `evil`, a profile whose name is markup.
 */
export function domainSnapshot(evil = false): AccountSnapshot {
  const s = exampleSnapshot();
  const alice = s.sagemaker.userProfiles[0]!;
  const bob = { ...alice, name: 'bob', arn: (alice.arn ?? '').replace(/alice$/, 'bob'), tags: { 'cost-center': 'ml-42' } };
  const extra = evil ? [{ ...alice, name: EVIL_NAME, arn: (alice.arn ?? '').replace(/alice$/, 'evil') }] : [];
  return { ...s, sagemaker: { ...s.sagemaker, userProfiles: [alice, bob, ...extra] } };
}

/** Every profile of the domain checked, as `check --all-profiles` does. */
export function checkDomain(variant: Variant = 'schedule', snapshot: AccountSnapshot = domainSnapshot()): ProfileCheck[] {
  const evaluate = engineEvaluator();
  const base: Selection = { jobRoleArn: JOB_ROLE, outputKmsKeyArn: KEY, volumeKmsKeyArn: KEY };
  return snapshot.sagemaker.userProfiles.map((p) => {
    const out = check(snapshot, { ...base, domainId: p.domainId, userProfileName: p.name }, { variant, evaluate });
    if (!out.ok) throw new Error(out.message);
    return { label: `${p.domainId} user profile ${p.name}`, result: out.result };
  });
}
