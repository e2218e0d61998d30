/**
 * `--format cli`: AWS CLI commands. Inline policies are ours, so `aws iam put-role-policy`
 * sets them. Trust, key and endpoint policies belong to someone else: the script reads the
 * current document, merges our statements in by Sid with jq (a statement with the same Sid
 * is replaced, every other one kept) and only then writes it back, never a blind replace.
 * The key and endpoint writes are commented out: their owners review and run them.
 */
import type { GeneratedPolicy, GenerateResult } from '../../notebook-jobs/generate.js';
import { roleName } from '../../notebook-jobs/generate.js';
import { describePolicy, header, policySize, statementsOf } from './common.js';

/** A shell word in single quotes. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** jq program: the current document's statements minus those with one of our Sids, then ours. */
export const MERGE_FILTER = '.Statement = (([.Statement] | flatten | map(select((.Sid // "") as $s | ([$add[].Sid] | index($s)) == null))) + $add)';

function fileBase(p: GeneratedPolicy): string {
  return p.name.replace(/[^A-Za-z0-9._-]+/g, '-');
}

function mergeCommands(p: GeneratedPolicy, read: string, write: string, live: boolean): string[] {
  const base = fileBase(p);
  const add = shellQuote(JSON.stringify(statementsOf(p)));
  const lines = [
    `${read} > ${base}.current.json`,
    `jq --argjson add ${add} ${shellQuote(MERGE_FILTER)} ${base}.current.json > ${base}.merged.json`,
    `diff <(jq -S . ${base}.current.json) <(jq -S . ${base}.merged.json) || true   # review the change`,
  ];
  return [...lines, ...(live ? [write] : [`# ${write}`])];
}

export function renderGenerateCli(result: GenerateResult): string {
  const region = result.setups[0]?.setup.region ?? 'us-east-1';
  const out: string[] = ['#!/usr/bin/env bash', ...header(result).map((l) => `# ${l}`), '# Needs: aws (v2), jq, bash.', 'set -euo pipefail', `REGION=${shellQuote(region)}`];
  result.policies.forEach((p, i) => {
    out.push('', `# ${i + 1}. ${describePolicy(p)}`);
    switch (p.kind) {
      case 'inline-policy':
        if (policySize(p) > 10240) out.push(`# warning: ${policySize(p)} characters; IAM allows 10,240 for all inline policies of a role together`);
        out.push(`aws iam put-role-policy --role-name ${shellQuote(roleName(p.attachTo))} --policy-name ${shellQuote(p.name)} --policy-document ${shellQuote(JSON.stringify(p.document))}`);
        break;
      case 'trust-policy-statements': {
        const role = shellQuote(roleName(p.attachTo));
        out.push(
          '# Merge, never replace: the role keeps every statement it trusts today.',
          ...mergeCommands(p, `aws iam get-role --role-name ${role} --query Role.AssumeRolePolicyDocument --output json`, `aws iam update-assume-role-policy --role-name ${role} --policy-document file://${fileBase(p)}.merged.json`, true),
        );
        break;
      }
      case 'key-policy-statements': {
        const key = shellQuote(p.attachTo);
        out.push(
          '# For the key owner: review the merged key policy before writing it (a wrong key policy can lock the key).',
          ...mergeCommands(p, `aws kms get-key-policy --region "$REGION" --key-id ${key} --policy-name default --query Policy --output text`, `aws kms put-key-policy --region "$REGION" --key-id ${key} --policy-name default --policy file://${fileBase(p)}.merged.json`, false),
        );
        break;
      }
      case 'vpc-endpoint-policy-statements': {
        const id = shellQuote(p.attachTo);
        out.push(
          '# For the network owner: an endpoint with the default full-access policy needs nothing; otherwise merge.',
          ...mergeCommands(p, `aws ec2 describe-vpc-endpoints --region "$REGION" --vpc-endpoint-ids ${id} --query 'VpcEndpoints[0].PolicyDocument' --output text`, `aws ec2 modify-vpc-endpoint --region "$REGION" --vpc-endpoint-id ${id} --policy-document file://${fileBase(p)}.merged.json`, false),
        );
        break;
      }
    }
  });
  return `${out.join('\n')}\n`;
}
