/**
 * The selection flags `check` and `diagnose` share (--domain, --user-profile, --space, the
 * roles, keys, buckets and job subnets), turned into the Selection the flow resolves. One
 * place, so the two commands cannot drift apart on which flags they honour.
 */
import type { Selection } from '../notebook-jobs/setup.js';

const KEYS = ['domainId', 'userProfileName', 'spaceName', 'studioRoleArn', 'jobRoleArn', 'outputKmsKeyArn', 'volumeKmsKeyArn', 'inputBucket', 'outputBucket', 'jobSubnetIds'] as const;

export type SelectionFlags = Partial<Pick<Selection, (typeof KEYS)[number]>>;

/** Only the flags that were given: an absent flag never overrides a default. */
export function givenSelection(flags: SelectionFlags): Selection {
  const out: Record<string, unknown> = {};
  for (const k of KEYS) if (flags[k] !== undefined) out[k] = flags[k];
  return out as Selection;
}
