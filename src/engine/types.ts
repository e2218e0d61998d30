/**
 * The engine's public vocabulary: scenarios (the contract of
 * shared/spec/scenario-format.md), decisions, and the options that settle the points on
 * which AWS's documentation is ambiguous (spec §8). Every option names its ambiguity;
 * docs/decisions/ holds one short record per option.
 */

/** A policy as it appears in a scenario: the document exactly as AWS stores it. */
export type PolicyDocument = unknown;

export type DecisionResult = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** The request part of a scenario file (format 1). */
export interface ScenarioRequest {
  /** IAM user ARN, role session ARN, federated-user ARN, root ARN, service principal, or "anonymous". */
  principal: string;
  /** For a role session: the role's full ARN (with its path). */
  principalRoleArn?: string;
  action: string;
  /** An ARN, or "*" for actions with no resource type. */
  resource: string;
  resourceAccount?: string;
  /** Context keys; multi-valued keys are arrays; names are case-insensitive. */
  context?: Record<string, string | number | boolean | Array<string | number | boolean>>;
  principalIsManagementAccount?: boolean;
  resourceIsManagementAccount?: boolean;
  /** True when the principal is a service-linked role (SCPs do not apply to it). */
  principalIsServiceLinkedRole?: boolean;
  /** Whether the resource is an AWS managed KMS key (RCPs do not apply to it). */
  resourceIsAwsManagedKey?: boolean;
  /**
   * Context keys whose value is not known (partial evaluation): a condition on them is
   * left as a residual instead of being decided.
   */
  unknownContextKeys?: string[];
}

export interface ScenarioPolicies {
  identity?: PolicyDocument[];
  permissionsBoundary?: PolicyDocument;
  session?: PolicyDocument[];
  resource?: PolicyDocument;
  /** One list per level, organization root first, account last. */
  scp?: PolicyDocument[][];
  /** One list per level; RCPFullAWSAccess is implied at every level. */
  rcp?: PolicyDocument[][];
  /** Present: the request went through this VPC endpoint. */
  vpcEndpoint?: PolicyDocument;
}

export interface Scenario {
  name: string;
  doc?: string;
  request: ScenarioRequest;
  policies: ScenarioPolicies;
  expect?: DecisionResult;
  /** Options that this scenario pins (an ambiguity decided one way). */
  options?: Partial<EvaluationOptions>;
}

/** The policy layers, in the names used in traces and reports. */
export type LayerName =
  | 'identity'
  | 'permissionsBoundary'
  | 'session'
  | 'resource'
  | 'scp'
  | 'rcp'
  | 'vpcEndpoint';

/**
 * Settings for what AWS leaves ambiguous (shared/spec/iam-evaluation.md §8). Defaults are
 * the documented or safest reading; `DEFAULT_EVALUATION_OPTIONS` holds them.
 */
export interface EvaluationOptions {
  /**
   * A1: a resource policy names the role *session* ARN while a session policy does not
   * allow the action. The IAM guide ("Session policies") says the grant is not limited
   * by the session policy (`true`); iam-simulate denies (`false`).
   * docs/decisions/a01-session-arn-grant.md
   */
  sessionArnGrantBypassesSessionPolicy: boolean;
  /**
   * A2: a plain operator (no ForAllValues/ForAnyValue) against a multi-valued context key.
   * `false`: the condition is false, negated operators too (iam-simulate, which reports
   * AWS confirmed it). `anyValue`: treat as ForAnyValue.
   * docs/decisions/a02-plain-operator-multivalued.md
   */
  plainOperatorOnMultivaluedKey: 'false' | 'anyValue';
  /**
   * A3: a negated operator against a policy variable that cannot be resolved. The docs
   * ("Policy variables with no value") say it counts as not-equal, so `true`.
   * docs/decisions/a03-negated-unresolved-variable.md
   */
  negatedOperatorOnUnresolvedVariable: boolean;
  /**
   * A5: variables in Bool values. The 2023 "Condition operators" page says Bool accepts
   * them; "Policy variables" says no. Default: expand.
   * docs/decisions/a05-bool-variables.md
   */
  expandVariablesInBool: boolean;
  /**
   * A10: are ARN resource parts compared case-sensitively? Default: yes (S3 keys are;
   * iam-simulate does so for every service).
   */
  resourceArnCaseSensitive: boolean;
  /**
   * A11: do `"*"` and `{"AWS":"*"}` match service principals? Default: yes.
   */
  wildcardPrincipalMatchesServices: boolean;
  /**
   * A12: an empty-string context value is present (Null: false). Default: present.
   */
  emptyStringIsPresent: boolean;
  /**
   * A13: service-linked roles are exempt from RCPs. Not confirmed in the current RCP
   * documentation, so the safe default is `false` (RCPs apply).
   */
  rcpExemptServiceLinkedRoles: boolean;
  /**
   * A15: NotPrincipal with Deny. `strict`: the caller escapes the Deny only if its
   * session ARN, its role ARN and its account are all listed (AWS "might" test each).
   * `sessionOnly`: listing the caller's own ARN is enough.
   */
  notPrincipalDenyChain: 'strict' | 'sessionOnly';
  /**
   * Current "Permissions boundaries" docs: NotPrincipal with Deny always denies callers
   * that have a permissions boundary. Default: true.
   */
  notPrincipalDenyAlwaysDeniesBoundedCallers: boolean;
  /**
   * A16: two tags whose keys differ only in case. `all`: the condition holds only if
   * every variant satisfies it. `any`: one is enough.
   */
  caseVariantTagKeys: 'all' | 'any';
  /**
   * A18: a Date value that is all digits. Default: epoch seconds (moto; "2024" is 2024
   * seconds after 1970, not the year).
   */
  allDigitDates: 'epochSeconds' | 'epochMilliseconds';
}

export const DEFAULT_EVALUATION_OPTIONS: Readonly<EvaluationOptions> = Object.freeze({
  sessionArnGrantBypassesSessionPolicy: true,
  plainOperatorOnMultivaluedKey: 'false',
  negatedOperatorOnUnresolvedVariable: true,
  expandVariablesInBool: true,
  resourceArnCaseSensitive: true,
  wildcardPrincipalMatchesServices: true,
  emptyStringIsPresent: true,
  rcpExemptServiceLinkedRoles: false,
  notPrincipalDenyChain: 'strict',
  notPrincipalDenyAlwaysDeniesBoundedCallers: true,
  caseVariantTagKeys: 'all',
  allDigitDates: 'epochSeconds',
} satisfies EvaluationOptions);
