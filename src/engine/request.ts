/**
 * Preparing a request once: the principal parsed, the action lower-cased, the resource ARN
 * split, the context keys lower-cased and the principal's keys derived.
 */
import type { ArnParts } from './arn.js';
import { splitArn } from './arn.js';
import type { ContextInputValue, RequestContext } from './context.js';
import { contextFrom } from './context.js';
import type { RequestPrincipal } from './principal.js';
import type { PrincipalParseResult } from './principal.js';
import { parsePrincipal, principalKeys } from './principal.js';

export interface AuthorizationRequest {
  /** A principal string as in a scenario file, or an already parsed principal. */
  readonly principal: string | RequestPrincipal;
  /** Role sessions: the role's full ARN (with path). */
  readonly principalRoleArn?: string;
  /** Federated-user sessions: the IAM user that called GetFederationToken. */
  readonly principalSourceUserArn?: string;
  /** The user's (AIDA…) or role's (AROA…) unique ID. */
  readonly principalUniqueId?: string;
  readonly principalIsServiceLinkedRole?: boolean;
  readonly principalIsManagementAccount?: boolean;
  readonly action: string;
  /** An ARN, or "*" for actions with no resource type. */
  readonly resource: string;
  /** Else the ARN's account; else (S3, "*") the principal's. */
  readonly resourceAccount?: string;
  readonly resourceIsManagementAccount?: boolean;
  readonly resourceIsAwsManagedKey?: boolean;
  readonly context?: Readonly<Record<string, ContextInputValue>> | ReadonlyMap<string, ContextInputValue>;
  /** Partial evaluation: context keys whose values are unknown. */
  readonly unknownContextKeys?: readonly string[];
  /** Kind of VPC endpoint the request came through; default: gateway for S3 and DynamoDB, else interface. */
  readonly vpcEndpointType?: 'gateway' | 'interface';
}

const PREPARED: unique symbol = Symbol('prepared');

export interface PreparedRequest {
  readonly [PREPARED]: true;
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly actionLower: string;
  readonly service: string;
  readonly resource: string;
  readonly resourceParts?: ArnParts;
  readonly resourceAccount?: string;
  readonly context: RequestContext;
  readonly principalIsManagementAccount: boolean;
  readonly resourceIsManagementAccount: boolean;
  readonly resourceIsAwsManagedKey: boolean;
  readonly vpcEndpointType: 'gateway' | 'interface';
}

export class RequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestError';
  }
}

export function isPreparedRequest(r: AuthorizationRequest | PreparedRequest): r is PreparedRequest {
  return (r as PreparedRequest)[PREPARED] === true;
}

function parsePrincipalOf(req: AuthorizationRequest): PrincipalParseResult {
  return parsePrincipal(req.principal as string, {
    roleArn: req.principalRoleArn,
    sourceUserArn: req.principalSourceUserArn,
    uniqueId: req.principalUniqueId,
    isServiceLinkedRole: req.principalIsServiceLinkedRole,
  });
}

/** Prepares a request once; pass the result to `authorize` many times to skip this work. Throws RequestError. */
export function prepareRequest(req: AuthorizationRequest): PreparedRequest {
  let principal: RequestPrincipal;
  if (typeof req.principal === 'string') {
    const p = parsePrincipalOf(req);
    if (!p.ok) throw new RequestError(p.message);
    principal = p.principal;
  } else principal = req.principal;
  if (typeof req.action !== 'string' || req.action.length === 0) throw new RequestError('request.action must be a non-empty string such as "s3:GetObject"');
  const context = contextFrom(req.context, req.unknownContextKeys);
  // A unique ID for sessions may arrive as aws:userid "AROA…:session".
  if (principal.uniqueId === undefined && (principal.kind === 'roleSession' || principal.kind === 'iamUser')) {
    const uid = context.get('aws:userid');
    if (typeof uid === 'string' && /^A(ROA|IDA)/.test(uid)) {
      const id = uid.includes(':') ? uid.slice(0, uid.indexOf(':')) : uid;
      principal = { ...principal, uniqueId: id };
    }
  }
  context.useDerived(principalKeys(principal));
  const actionLower = req.action.toLowerCase();
  const colon = actionLower.indexOf(':');
  const service = colon < 0 ? actionLower : actionLower.slice(0, colon);
  const resourceParts = req.resource === '*' ? undefined : splitArn(req.resource);
  const resourceAccount = req.resourceAccount ?? (resourceParts && resourceParts.account !== '' ? resourceParts.account : undefined) ?? principal.accountId;
  return {
    [PREPARED]: true,
    principal,
    action: req.action,
    actionLower,
    service,
    resource: req.resource,
    resourceParts,
    resourceAccount,
    context,
    principalIsManagementAccount: req.principalIsManagementAccount === true,
    resourceIsManagementAccount: req.resourceIsManagementAccount === true,
    resourceIsAwsManagedKey: req.resourceIsAwsManagedKey === true,
    vpcEndpointType: req.vpcEndpointType ?? (service === 's3' || service === 'dynamodb' ? 'gateway' : 'interface'),
  };
}
