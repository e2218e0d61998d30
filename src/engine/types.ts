/**
 * The engine's public vocabulary: scenarios (the contract of
 * docs/scenario-format.md), decisions, and the options that settle the points on
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
  /** Federated-user sessions: the IAM user that called GetFederationToken (a policy naming it matches as ENTITY). */
  principalSourceUserArn?: string;
  /** The user's (AIDA…) or role's (AROA…) unique ID, for trust policies that store unique IDs. */
  principalUniqueId?: string;
  /**
   * The kind of VPC endpoint the request came through (only with policies.vpcEndpoint).
   * Default: gateway for S3 and DynamoDB, interface otherwise. In a gateway endpoint policy an
   * account principal means that account's root user only (spec G41).
   */
  vpcEndpointType?: 'gateway' | 'interface';
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
 * Settings for what AWS leaves ambiguous (docs/iam-evaluation.md §8). Defaults are
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
   * docs/decisions/a10-resource-arn-case.md
   */
  resourceArnCaseSensitive: boolean;
  /**
   * A11: do `"*"` and `{"AWS":"*"}` match service principals? Default: yes.
   * docs/decisions/a11-wildcard-principal-services.md
   */
  wildcardPrincipalMatchesServices: boolean;
  /**
   * A12: an empty-string context value is present (Null: false). Default: present.
   * docs/decisions/a12-empty-string-present.md
   */
  emptyStringIsPresent: boolean;
  /**
   * A13: service-linked roles are exempt from RCPs. Not confirmed in the current RCP
   * documentation, so the safe default is `false` (RCPs apply).
   * docs/decisions/a13-rcp-service-linked-roles.md
   */
  rcpExemptServiceLinkedRoles: boolean;
  /**
   * A15: NotPrincipal with Deny. `strict`: the caller escapes the Deny only if its
   * session ARN, its role ARN and its account are all listed (AWS "might" test each).
   * `sessionOnly`: listing the caller's own ARN is enough.
   * docs/decisions/a15-notprincipal-deny-chain.md
   */
  notPrincipalDenyChain: 'strict' | 'sessionOnly';
  /**
   * Current "Permissions boundaries" docs: NotPrincipal with Deny always denies callers
   * that have a permissions boundary. Default: true.
   * docs/decisions/a15b-notprincipal-bounded-callers.md
   */
  notPrincipalDenyAlwaysDeniesBoundedCallers: boolean;
  /**
   * A16: two tags whose keys differ only in case. `all`: the condition holds only if
   * every variant satisfies it. `any`: one is enough.
   * docs/decisions/a16-case-variant-tag-keys.md
   */
  caseVariantTagKeys: 'all' | 'any';
  /**
   * A18: a Date value that is all digits. Default: epoch seconds (moto; "2024" is 2024
   * seconds after 1970, not the year).
   * docs/decisions/a18-all-digit-dates.md
   */
  allDigitDates: 'epochSeconds' | 'epochMilliseconds';
  /**
   * A19: `ForAnyValue:…IfExists` / `ForAllValues:…IfExists` on an absent key. Spec §2.3 says
   * IfExists makes an absent key true; §2.5 tests the set prefix first (ForAnyValue over
   * nothing is false). AWS behaves as §2.5 (re:Post "ForAnyValue:StringEqualsIfExists
   * behaving unexpectedly"), so the default is `setRule`; `ifExistsRule` makes it true.
   * docs/decisions/a19-set-operator-ifexists.md
   */
  setOperatorIfExistsOnAbsentKey: 'setRule' | 'ifExistsRule';
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
  setOperatorIfExistsOnAbsentKey: 'setRule',
} satisfies EvaluationOptions);
