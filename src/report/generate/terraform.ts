/**
 * `--format terraform`: HCL that `terraform validate` accepts. Inline policies are
 * `aws_iam_role_policy` resources on roles read with `data "aws_iam_role"` (the stack does
 * not own the roles). Trust, key and endpoint statements are outputs, because Terraform
 * sets those policies only as a whole (`aws_iam_role.assume_role_policy`,
 * `aws_kms_key_policy`, `aws_vpc_endpoint_policy` replace the document). For the trust
 * policy an `aws_iam_policy_document` merges the role's current trust policy with ours
 * (our statements override only statements with the same Sid), so its owner can apply
 * the merged document instead of a blind replacement.
 */
import type { GeneratedPolicy, GenerateResult } from '../../notebook-jobs/generate.js';
import { roleName } from '../../notebook-jobs/generate.js';
import { describePolicy, header, statementsOf, whyNotDeployed } from './common.js';
import { trimEndOf, trimStartOf } from '../../text/trim.js';

/** A string literal of HCL: JSON escapes are HCL escapes; template sequences are escaped. */
function hclString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** A JSON value as an HCL expression (object keys that are not identifiers are quoted). */
export function hclValue(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    return `[\n${value.map((v) => `${inner}${hclValue(v, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.length) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : hclString(k)} = ${hclValue(v, inner)}`).join('\n')}\n${indent}}`;
}

function ident(s: string): string {
  const id = trimEndOf(trimStartOf(s.toLowerCase().replace(/[^a-z0-9_]+/g, '_'), '_'), '_');
  return /^[a-z_]/.test(id) ? id : `p_${id}`;
}

function comment(lines: readonly string[]): string {
  return lines.map((l) => `# ${l}`).join('\n');
}

export function renderGenerateTerraform(result: GenerateResult): string {
  const region = result.setups[0]?.setup.region ?? 'us-east-1';
  const blocks: string[] = [
    comment(header(result)),
    `terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = ">= 4.0"\n    }\n  }\n}`,
    `provider "aws" {\n  region = ${hclString(region)}\n}`,
  ];
  const roles = new Map<string, string>();
  const roleRef = (arn: string): string => {
    let id = roles.get(arn);
    if (!id) {
      id = ident(roleName(arn));
      roles.set(arn, id);
      blocks.push(`${comment([`Existing role ${arn}: read, not managed, by this configuration.`])}\ndata "aws_iam_role" ${hclString(id)} {\n  name = ${hclString(roleName(arn))}\n}`);
    }
    return id;
  };
  const usedNames = new Set<string>();
  const name = (p: GeneratedPolicy): string => {
    // Inline policies share one name across roles: the role goes in the resource name.
    const base = ident(p.kind === 'inline-policy' ? `${roleName(p.attachTo)} ${p.name}` : p.name);
    let n = base;
    for (let i = 2; usedNames.has(n); i++) n = `${base}_${i}`;
    usedNames.add(n);
    return n;
  };
  for (const p of result.policies) {
    const n = name(p);
    if (p.kind === 'inline-policy') {
      const role = roleRef(p.attachTo);
      blocks.push(`${comment([describePolicy(p)])}\nresource "aws_iam_role_policy" ${hclString(n)} {\n  name   = ${hclString(p.name)}\n  role   = data.aws_iam_role.${role}.name\n  policy = jsonencode(${hclValue(p.document, '  ')})\n}`);
      continue;
    }
    blocks.push(`${comment([describePolicy(p), whyNotDeployed(p, 'Terraform')])}\nlocals {\n  ${n} = ${hclValue(statementsOf(p), '  ')}\n}`);
    blocks.push(`output ${hclString(n)} {\n  description = ${hclString(`Statements to add: ${describePolicy(p)}`)}\n  value       = jsonencode(local.${n})\n}`);
    if (p.kind === 'trust-policy-statements') {
      const role = roleRef(p.attachTo);
      blocks.push(
        `${comment([
          `The trust policy of ${roleName(p.attachTo)} as it is now, with our statements merged in (a statement with the same Sid is replaced, every other one kept).`,
          'Review it, then apply it where the role is managed, or with: aws iam update-assume-role-policy --role-name ' + roleName(p.attachTo) + ' --policy-document "$(terraform output -raw ' + n + '_merged)"',
        ])}\ndata "aws_iam_policy_document" ${hclString(`${n}_merged`)} {\n  source_policy_documents   = [data.aws_iam_role.${role}.assume_role_policy]\n  override_policy_documents = [jsonencode({ Version = "2012-10-17", Statement = local.${n} })]\n}`,
      );
      blocks.push(`output ${hclString(`${n}_merged`)} {\n  description = ${hclString(`Trust policy of ${roleName(p.attachTo)} with the notebook-job statements merged in`)}\n  value       = data.aws_iam_policy_document.${n}_merged.json\n}`);
    }
  }
  return `${blocks.join('\n\n')}\n`;
}
