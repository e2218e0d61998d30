/**
 * Flags of the live commands (`setup`, `snapshot`), checked on this machine before any AWS
 * call: a region, account, ARN or profile that cannot be right is refused with what was
 * expected, instead of being sent to AWS (where it fails later, less clearly, or reads
 * the wrong account). Pure, except `checkProfile`, which reads the AWS config files.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { InputError, readTextFileSync } from '../input/index.js';
import { quoteValue } from '../text/sanitize.js';

/** A region name: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-7`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:role/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$`);
/** A key ARN, alias ARN, key id (also multi-Region `mrk-`) or alias name, as setup accepts them. */
const KMS_KEY = new RegExp(`^(arn:${PARTITION}:kms:[a-z0-9-]+:\\d{12}:(key/[A-Za-z0-9-]+|alias/[\\w/-]+)|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias/[\\w/-]+)$`);
const VPC_ENDPOINT = /^vpce-[0-9a-f]{8,17}$/;
const DOMAIN_ID = /^d-[a-z0-9]{1,63}$/;

/** Why a region flag cannot be right, or undefined. */
export function regionProblem(flag: string, value: string | undefined): string | undefined {
  if (value === undefined || REGION.test(value)) return undefined;
  return `${flag} must be an AWS region name such as us-east-1 or eu-west-2, got ${quoteValue(value)}`;
}

export interface LiveFlagValues {
  readonly region?: string;
  readonly accountId?: string;
  readonly studioRole?: string;
  readonly jobRole?: string;
  readonly outputKmsKey?: string;
  readonly volumeKmsKey?: string;
  readonly vpcEndpoint?: string;
  readonly domainId?: string;
}

/** Every problem with the given flags (none given: none). */
export function liveFlagProblems(v: LiveFlagValues): string[] {
  const problems: string[] = [];
  const region = regionProblem('--region', v.region);
  if (region) problems.push(region);
  if (v.accountId !== undefined && !ACCOUNT.test(v.accountId)) problems.push(`--account must be a 12-digit account id, got ${quoteValue(v.accountId)}`);
  for (const [flag, value] of [
    ['--studio-role', v.studioRole],
    ['--job-role', v.jobRole],
  ] as const) {
    if (value !== undefined && !ROLE_ARN.test(value)) {
      problems.push(`${flag} must be an IAM role ARN (arn:aws:iam::<account>:role/<name>, as aws iam get-role prints it), got ${quoteValue(value)}`);
    }
  }
  for (const [flag, value] of [
    ['--output-kms-key', v.outputKmsKey],
    ['--volume-kms-key', v.volumeKmsKey],
  ] as const) {
    if (value !== undefined && !KMS_KEY.test(value)) problems.push(`${flag} must be a KMS key ARN, key id, alias ARN or alias/NAME, got ${quoteValue(value)}`);
  }
  if (v.vpcEndpoint !== undefined && !VPC_ENDPOINT.test(v.vpcEndpoint)) problems.push(`--vpc-endpoint must be an endpoint id such as vpce-0a1b2c3d4e5f60719, got ${quoteValue(v.vpcEndpoint)}`);
  if (v.domainId !== undefined && !DOMAIN_ID.test(v.domainId)) problems.push(`--domain must be a SageMaker domain id such as d-abcdef123456, got ${quoteValue(v.domainId)}`);
  return problems;
}

/** Where the AWS CLI and SDK look for profiles (the same environment variables). */
export function awsConfigFiles(env: NodeJS.ProcessEnv = process.env, home = homedir()): { config: string; credentials: string } {
  return {
    config: env['AWS_CONFIG_FILE'] || path.join(home, '.aws', 'config'),
    credentials: env['AWS_SHARED_CREDENTIALS_FILE'] || path.join(home, '.aws', 'credentials'),
  };
}

/** The profile names a config (`[profile x]`, `[default]`) or credentials (`[x]`) file defines. */
export function profilesIn(text: string, kind: 'config' | 'credentials'): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
    if (!m) continue;
    const section = m[1]!;
    if (kind === 'credentials') names.push(section);
    else if (section === 'default') names.push('default');
    else {
      const p = /^profile\s+(.+)$/.exec(section);
      if (p) names.push(p[1]!.trim());
    }
  }
  return names;
}

/**
 * Checks that a named profile exists in the AWS config or credentials file. Returns the
 * message for the user when it does not (naming both files and the profiles they define),
 * undefined when it does.
 */
export function profileProblem(profile: string, source: string, env: NodeJS.ProcessEnv = process.env, home = homedir()): string | undefined {
  const files = awsConfigFiles(env, home);
  const looked: string[] = [];
  const found = new Set<string>();
  for (const kind of ['config', 'credentials'] as const) {
    const file = files[kind];
    try {
      const names = profilesIn(readTextFileSync(file, { maxBytes: 4 * 1024 * 1024 }).text, kind);
      names.forEach((n) => found.add(n));
      looked.push(`${file} (${names.length ? `profiles: ${names.join(', ')}` : 'no profile'})`);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      looked.push(`${file} (${e.code === 'not-found' ? 'not found' : e.detail})`);
    }
  }
  if (found.has(profile)) return undefined;
  return `AWS profile "${profile}" (${source}) was not found; looked in ${looked.join(' and ')}. Create it with: aws configure --profile ${profile} (or aws configure sso)`;
}

/**
 * The profile the live command will use (--profile, else AWS_PROFILE), checked against the
 * AWS config files before any call; undefined when fine or when none is named (the
 * default chain: environment, SSO, instance role, ...).
 */
export function localProfileProblem(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flag !== undefined) return profileProblem(flag, '--profile', env);
  const fromEnv = env['AWS_PROFILE'];
  // Keys in the environment win over AWS_PROFILE in the SDK's chain: nothing to check then.
  if (fromEnv && !env['AWS_ACCESS_KEY_ID']) return profileProblem(fromEnv, 'AWS_PROFILE', env);
  return undefined;
}
