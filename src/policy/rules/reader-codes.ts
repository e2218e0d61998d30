/**
 * The codes the reader (read.ts) emits, as a table like the rule modules' tables, so that
 * documentation and tests can list every code in one place. All are errors: AWS rejects
 * each of these at save time (spec §1.1, §1.2, §1.7).
 */
import type { RuleCodeInfo } from './support.js';

const GRAMMAR = 'Grammar of the IAM JSON policy language';

export const READER_CODES: readonly RuleCodeInfo[] = [
  { code: 'invalid-json', severity: 'error', description: 'The text is not JSON (or nests deeper than any policy).', source: GRAMMAR },
  { code: 'duplicate-key', severity: 'error', description: 'A key appears twice in one object; a JSON reader would keep only the last (G33).', source: `${GRAMMAR} (notes)` },
  { code: 'policy-not-object', severity: 'error', description: 'The policy is not a JSON object.', source: GRAMMAR },
  {
    code: 'value-too-long',
    severity: 'error',
    description: 'A key or value longer than 32,768 characters, more than the largest policy AWS accepts holds in all; the policy is not read further.',
    source: 'AWS KMS quotas (key policy document size); IAM and AWS STS quotas',
  },
  { code: 'unknown-policy-element', severity: 'error', description: 'A top-level key other than Version, Id, Statement (names are case-sensitive).', source: 'IAM JSON policy elements reference' },
  { code: 'invalid-version', severity: 'error', description: 'Version is not "2012-10-17" or "2008-10-17".', source: 'IAM JSON policy elements: Version' },
  { code: 'invalid-id', severity: 'error', description: 'Id is not a string.', source: 'IAM JSON policy elements: Id' },
  { code: 'missing-statement', severity: 'error', description: 'No Statement element.', source: 'IAM JSON policy elements: Statement' },
  { code: 'empty-statement', severity: 'error', description: 'Statement is an empty list.', source: 'IAM JSON policy elements: Statement' },
  { code: 'statement-not-object', severity: 'error', description: 'A statement is not a JSON object.', source: 'IAM JSON policy elements: Statement' },
  { code: 'unknown-statement-element', severity: 'error', description: 'A statement key other than Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition.', source: 'IAM JSON policy elements reference' },
  { code: 'invalid-sid', severity: 'error', description: 'Sid is not a string.', source: 'IAM JSON policy elements: Sid' },
  { code: 'invalid-effect', severity: 'error', description: 'Effect is not exactly "Allow" or "Deny" (it is case-sensitive).', source: 'IAM JSON policy elements: Effect' },
  { code: 'missing-effect', severity: 'error', description: 'A statement without Effect.', source: 'IAM JSON policy elements: Effect' },
  { code: 'action-and-notaction', severity: 'error', description: 'A statement with both Action and NotAction.', source: 'IAM JSON policy elements: NotAction' },
  { code: 'missing-action', severity: 'error', description: 'A statement with neither Action nor NotAction.', source: 'IAM JSON policy elements: Action' },
  { code: 'resource-and-notresource', severity: 'error', description: 'A statement with both Resource and NotResource.', source: 'IAM JSON policy elements: NotResource' },
  { code: 'missing-resource', severity: 'error', description: 'No Resource/NotResource in an identity, boundary, session policy or SCP.', source: 'IAM JSON policy elements: Resource' },
  { code: 'principal-and-notprincipal', severity: 'error', description: 'A statement with both Principal and NotPrincipal.', source: 'AWS JSON policy elements: NotPrincipal' },
  { code: 'missing-principal', severity: 'error', description: 'No Principal in a resource-based, trust, endpoint policy or RCP.', source: 'AWS JSON policy elements: Principal' },
  { code: 'principal-not-allowed', severity: 'error', description: 'Principal/NotPrincipal in an identity, boundary, session policy or SCP.', source: 'AWS JSON policy elements: Principal' },
  { code: 'empty-list', severity: 'error', description: 'An empty list where AWS needs at least one value (an empty NotAction/NotResource would match everything, G47).', source: `${GRAMMAR}; moto policy_validation` },
  { code: 'not-a-string', severity: 'error', description: 'A non-string entry in Action, Resource or a principal list.', source: GRAMMAR },
  { code: 'invalid-principal', severity: 'error', description: 'Principal is neither "*" nor a map of principal types.', source: 'AWS JSON policy elements: Principal' },
  { code: 'unknown-principal-type', severity: 'error', description: 'A principal type other than AWS, Service, Federated, CanonicalUser.', source: 'AWS JSON policy elements: Principal' },
  { code: 'invalid-condition', severity: 'error', description: 'Condition, or an operator body, is not a map.', source: 'IAM JSON policy elements: Condition' },
  { code: 'invalid-condition-value', severity: 'error', description: 'A condition value that is not a string, number or boolean.', source: 'IAM JSON policy elements: Condition' },
];
