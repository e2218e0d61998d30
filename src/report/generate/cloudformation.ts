/**
 * `--format cloudformation`: a JSON template that deploys the inline policies as
 * AWS::IAM::RolePolicy on the existing roles (RoleName is the role's name, without its path:
 * AWS::IAM::RolePolicy "RoleName"). Trust, key and endpoint statements are not resources:
 * CloudFormation sets those policies only as a whole, on resources the stack owns
 * (AWS::IAM::Role AssumeRolePolicyDocument, AWS::KMS::Key KeyPolicy, AWS::EC2::VPCEndpoint
 * PolicyDocument), so they are listed in the template's Metadata with how to apply them.
 */
import type { GenerateResult } from '../../notebook-jobs/generate.js';
import { roleName } from '../../notebook-jobs/generate.js';
import { describePolicy, header, statementsOf, whyNotDeployed } from './common.js';

function logicalId(name: string, used: Set<string>): string {
  const base = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('')
    .slice(0, 200);
  let id = base || 'Policy';
  for (let n = 2; used.has(id); n++) id = `${base}${n}`;
  used.add(id);
  return id;
}

export function renderGenerateCloudFormation(result: GenerateResult): string {
  const used = new Set<string>();
  const resources: Record<string, unknown> = {};
  const notDeployed: Record<string, unknown>[] = [];
  for (const p of result.policies) {
    if (p.kind === 'inline-policy') {
      resources[logicalId(`${roleName(p.attachTo)} ${p.name}`, used)] = {
        Type: 'AWS::IAM::RolePolicy',
        Metadata: { 'nbjob-iam': describePolicy(p) },
        Properties: { RoleName: roleName(p.attachTo), PolicyName: p.name, PolicyDocument: p.document },
      };
    } else {
      notDeployed.push({
        name: p.name,
        kind: p.kind,
        attachTo: p.attachTo,
        what: describePolicy(p),
        whyNotAResource: whyNotDeployed(p, 'CloudFormation'),
        howToApply: 'Add these statements to the existing policy (replace a statement with the same Sid, keep every other one), or use the output of nbjob-iam generate --format cli.',
        statements: statementsOf(p),
      });
    }
  }
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `nbjob-iam: inline policies for SageMaker Studio notebook jobs (${result.variants.join(', ')}). Trust, key and endpoint statements are in Metadata: they must be added to policies this stack does not own.`,
    Metadata: { 'nbjob-iam': { about: header(result), notDeployedByThisTemplate: notDeployed } },
    Resources: resources,
  };
  return `${JSON.stringify(template, null, 2)}\n`;
}
