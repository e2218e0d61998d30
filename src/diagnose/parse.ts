/**
 * Reading the access errors people actually have: every shape AWS prints an AccessDenied
 * in, turned into one record (who, what action, on what, and which policy layer AWS named).
 * Pure functions over text; nothing here knows the snapshot or the flow.
 *
 * Shapes, each tested on the page it comes from (test/diagnose/parse.test.ts):
 * - IAM's message, old and new: "User: ARN is not authorized to perform: ACTION on resource:
 *   ARN [because no <type> policy allows the ACTION action | with an explicit deny in a
 *   <type> policy[: POLICY-ARN]]" (IAM User Guide, "Troubleshoot access denied error
 *   messages"; AWS Security Blog, "Enhanced access denied error messages with policy ARNs").
 * - S3's form with a quoted resource, and the bare "Access Denied" (S3 User Guide,
 *   "Troubleshoot access denied (403 Forbidden) errors in Amazon S3"), S3's XML error body.
 * - KMS's "on this resource because the resource does not exist in this Region, no
 *   resource-based policies allow access, or a resource-based policy explicitly denies access".
 * - The AWS CLI's "An error occurred (CODE) when calling the OPERATION operation: MESSAGE".
 * - EC2's UnauthorizedOperation with an encoded authorization failure message.
 * - JSON: `aws sagemaker describe-training-job` (FailureReason), `aws sagemaker
 *   list-pipeline-execution-steps`, `aws sts decode-authorization-message` (DecodedMessage or
 *   the decoded document itself), `aws cloudtrail lookup-events` (CloudTrailEvent strings),
 *   CloudTrail log files ({"Records": [...]}) and single CloudTrail events.
 */
import { trimEndOf } from '../text/trim.js';

/** Policy layers as AWS names them in a message, in the engine's layer names. */
export type NamedLayer = 'identity' | 'resource' | 'scp' | 'rcp' | 'permissionsBoundary' | 'session' | 'vpcEndpoint';

export type DenialSource =
  | 'iam-message'
  | 'cli-error'
  | 's3-error'
  | 'training-job'
  | 'pipeline-step'
  | 'decoded-authorization'
  | 'cloudtrail';

/** One access denial, as much as its text tells. */
export interface Denial {
  /** Where it came from: the file, and inside it the event or line. */
  readonly input: string;
  readonly source: DenialSource;
  /** The message as AWS printed it (control characters kept; renderers escape them). */
  readonly text: string;
  /** ARN of the caller (an assumed-role session, a role, a user) or a service principal. */
  readonly principal?: string;
  /** Full role ARN when the input gives it (CloudTrail's session issuer, a training job's RoleArn). */
  readonly principalRoleArn?: string;
  readonly action?: string;
  readonly resource?: string;
  /** The layer AWS names, if it names one. */
  readonly layer?: NamedLayer;
  /** Explicit or implicit, if AWS says. */
  readonly kind?: 'explicit' | 'implicit';
  /** The denying policy's ARN (the 2025 form of the message). */
  readonly policyArn?: string;
  /** The API error code (AccessDenied, AccessDeniedException, UnauthorizedOperation, ...). */
  readonly errorCode?: string;
  /** The API operation (CreateTrainingJob), when the input names it. */
  readonly operation?: string;
  /** Context keys and values the request carried (decoded authorization messages). */
  readonly context?: Readonly<Record<string, readonly string[]>>;
  /** Sids of the statements a decoded authorization message says matched. */
  readonly statementIds?: readonly string[];
  /** The message carries an encoded authorization failure message (decode it for the context). */
  readonly encoded?: boolean;
  /** When it happened (CloudTrail). */
  readonly time?: string;
}

/** An input, or part of one, that could not be read as an access error. */
export interface Unreadable {
  readonly input: string;
  readonly reason: string;
  readonly text: string;
}

export interface ParsedInput {
  readonly denials: readonly Denial[];
  readonly unreadable: readonly Unreadable[];
  /** Things read that are not access errors (a CloudTrail event that succeeded), counted. */
  readonly skipped: number;
}

const LAYER_WORDS: ReadonlyArray<readonly [RegExp, NamedLayer]> = [
  [/^identity[- ]based$/i, 'identity'],
  [/^resource[- ]based$/i, 'resource'],
  [/^service control$/i, 'scp'],
  [/^resource control$/i, 'rcp'],
  [/^permissions? boundary$/i, 'permissionsBoundary'],
  [/^session$/i, 'session'],
  [/^vpc endpoint$/i, 'vpcEndpoint'],
];

const LAYER_PHRASE = '(identity[- ]based|resource[- ]based|service control|resource control|permissions? boundary|session|VPC endpoint)';

function layerOf(words: string): NamedLayer | undefined {
  const w = words.trim().replace(/\s+/g, ' ');
  return LAYER_WORDS.find(([re]) => re.test(w))?.[1];
}

/** Errors that mean "not allowed" (and not: throttled, not found, invalid). */
export function isAccessErrorCode(code: string | undefined): boolean {
  if (!code) return false;
  return /accessdenied|unauthorized|notauthorized|forbidden|^403$|authorizationerror/i.test(code.replace(/^Client\./, ''));
}

const IAM_ANCHOR = /\b(?:User|Principal)\b:?\s+(\S+)\s+is not authorized to perform:?\s+/g;
const CLI_ANCHOR = /An error occurred \(([^)\s]+)\)(?: \(reached max retries: \d+\))? when calling the (\w+) operation(?: \(reached max retries: \d+\))?:?/g;
const ACCESS_WORDS = /access ?denied|not authorized|unauthorized|forbidden/i;

/** Strips the punctuation a sentence puts after an ARN. */
function cleanArn(s: string): string {
  return trimEndOf(s.replace(/^["'“]|["'”]$/g, ''), '.,;)');
}

interface IamParts {
  principal: string;
  action?: string;
  resource?: string;
  layer?: NamedLayer;
  kind?: 'explicit' | 'implicit';
  policyArn?: string;
}

/**
 * One IAM-style message from its "User: ... is not authorized to perform" anchor. The
 * grammar follows the IAM page "Troubleshoot access denied error messages": principal,
 * action, optional resource, then an optional reason naming the policy type.
 */
function parseIamMessage(text: string): IamParts | undefined {
  const m = /\b(?:User|Principal)\b:?\s+(\S+)\s+is not authorized to perform:?\s+([A-Za-z0-9-]+:[A-Za-z0-9*?]+)?(.*)$/s.exec(text);
  if (!m) return undefined;
  const parts: IamParts = { principal: cleanArn(m[1] ?? '') };
  if (m[2]) parts.action = m[2];
  let rest = (m[3] ?? '').replace(/\s+/g, ' ').trim();
  const onResource = /^on (?:resource:?\s*)?("[^"]*"|[^\s"]+)\s*/i.exec(rest);
  if (onResource && !/^on this resource/i.test(rest)) {
    parts.resource = cleanArn(onResource[1] ?? '');
    rest = rest.slice(onResource[0].length);
  } else if (/^on this resource\s*/i.test(rest)) {
    rest = rest.replace(/^on this resource\s*/i, '');
  }
  const explicit = new RegExp(`with an explicit deny in (?:an? |the )?${LAYER_PHRASE}(?: polic(?:y|ies))?(?::\\s*(arn:[^\\s,]+))?`, 'i').exec(rest);
  const implicitIn = new RegExp(`with an implicit deny in (?:an? |the )?${LAYER_PHRASE}(?: polic(?:y|ies))?(?::\\s*(arn:[^\\s,]+))?`, 'i').exec(rest);
  const noneAllows = new RegExp(`because no ${LAYER_PHRASE}(?: polic(?:y|ies))? allows?`, 'i').exec(rest);
  if (explicit) {
    parts.kind = 'explicit';
    parts.layer = layerOf(explicit[1] ?? '');
    if (explicit[2]) parts.policyArn = cleanArn(explicit[2]);
  } else if (implicitIn) {
    parts.kind = 'implicit';
    parts.layer = layerOf(implicitIn[1] ?? '');
    if (implicitIn[2]) parts.policyArn = cleanArn(implicitIn[2]);
  } else if (noneAllows) {
    parts.kind = 'implicit';
    parts.layer = layerOf(noneAllows[1] ?? '');
  } else if (/no resource-based polic(?:y|ies) allows? access|resource-based policy explicitly denies access/i.test(rest)) {
    // KMS: "the resource does not exist in this Region, no resource-based policies allow access,
    // or a resource-based policy explicitly denies access": the key policy, kind unknown.
    parts.layer = 'resource';
  } else if (/with an explicit deny\b/i.test(rest)) {
    parts.kind = 'explicit';
  }
  return parts;
}

/** `s3://bucket/key` anywhere in a text, as an S3 ARN. */
function s3UriResource(text: string): string | undefined {
  const m = /\bs3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/[^\s"'<>]*)?/.exec(text);
  if (!m) return undefined;
  const key = trimEndOf((m[2] ?? '').replace(/^\//, ''), '.,;)');
  return `arn:aws:s3:::${m[1]}${key ? `/${key}` : ''}`;
}

/** Cuts a paragraph into messages: at every CLI error line, and at every IAM message not already inside one. */
function messageStarts(text: string): number[] {
  const starts = new Set<number>();
  const cli = [...text.matchAll(CLI_ANCHOR)].map((m) => m.index);
  for (const i of cli) starts.add(i);
  for (const m of text.matchAll(IAM_ANCHOR)) {
    const i = m.index;
    // An IAM message right after a CLI anchor (nothing but the anchor between) belongs to it.
    const owner = Math.max(-1, ...cli.filter((c) => c <= i));
    const between = owner >= 0 ? text.slice(owner, i) : undefined;
    const ownedByCli = between !== undefined && !/is not authorized to perform/.test(between);
    if (!ownedByCli) starts.add(i);
  }
  // An S3 XML error body.
  for (const m of text.matchAll(/<Error>/g)) starts.add(m.index);
  return [...starts].sort((a, b) => a - b);
}

/** The operation name as an action, for the messages that give only the operation (S3's "Access Denied"). */
const S3_OPERATION_ACTIONS: Readonly<Record<string, string>> = {
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  HeadBucket: 's3:ListBucket',
  HeadObject: 's3:GetObject',
  GetObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  CopyObject: 's3:PutObject',
  GetBucketLocation: 's3:GetBucketLocation',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  PutBucketVersioning: 's3:PutBucketVersioning',
  CreateBucket: 's3:CreateBucket',
  DeleteObject: 's3:DeleteObject',
};

/** Operation → action when the service is known (CloudTrail's eventSource). */
export function operationAction(service: string, operation: string): string {
  if (service === 's3') return S3_OPERATION_ACTIONS[operation] ?? `s3:${operation}`;
  return `${service}:${operation}`;
}

/** One message of a text (a CLI line, an IAM message, an S3 XML body). */
function parseMessage(input: string, text: string, source: DenialSource): Denial | Unreadable {
  const trimmed = text.trim();
  const cli = new RegExp(CLI_ANCHOR.source).exec(trimmed);
  const xmlCode = /<Code>([^<]*)<\/Code>/.exec(trimmed)?.[1];
  const xmlMessage = /<Message>([^<]*)<\/Message>/.exec(trimmed)?.[1];
  const body = cli ? trimmed.slice(cli.index + cli[0].length) : xmlMessage !== undefined ? xmlMessage : trimmed;
  const iam = parseIamMessage(body);
  const errorCode = cli?.[1] ?? xmlCode ?? /\b(AccessDenied(?:Exception)?|UnauthorizedOperation|AuthorizationError|NotAuthorized|Forbidden)\b/.exec(trimmed)?.[1];
  const operation = cli?.[2];
  if (cli && !isAccessErrorCode(cli[1]) && !iam) {
    return { input, reason: `the error ${cli[1]} is not an access denial`, text: trimmed };
  }
  if (!iam && !ACCESS_WORDS.test(trimmed) && !isAccessErrorCode(errorCode)) {
    return { input, reason: 'not an access-denied message: it names no "is not authorized to perform", AccessDenied or UnauthorizedOperation', text: trimmed };
  }
  const resource = iam?.resource ?? s3UriResource(trimmed) ?? xmlS3Resource(trimmed);
  const denial: Denial = {
    input,
    source: cli ? (source === 'iam-message' ? 'cli-error' : source) : xmlCode !== undefined ? 's3-error' : source,
    text: trimmed,
    ...(iam?.principal ? { principal: iam.principal } : {}),
    ...(iam?.action ? { action: iam.action } : {}),
    ...(resource ? { resource } : {}),
    ...(iam?.layer ? { layer: iam.layer } : {}),
    ...(iam?.kind ? { kind: iam.kind } : {}),
    ...(iam?.policyArn ? { policyArn: iam.policyArn } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(operation ? { operation } : {}),
    ...(/Encoded authorization failure message/i.test(trimmed) ? { encoded: true } : {}),
  };
  return denial;
}

/** S3's XML error names the resource as `/bucket/key` or `arn:...`. */
function xmlS3Resource(text: string): string | undefined {
  const r = /<Resource>([^<]*)<\/Resource>/.exec(text)?.[1];
  if (!r) return undefined;
  if (r.startsWith('arn:')) return r;
  const m = /^\/([^/]+)(?:\/(.*))?$/.exec(r);
  return m ? `arn:aws:s3:::${m[1]}${m[2] ? `/${m[2]}` : ''}` : undefined;
}

function isDenial(x: Denial | Unreadable): x is Denial {
  return 'source' in x;
}

/**
 * Every message in a text. Blank lines separate paragraphs; a paragraph's lines are joined
 * (AWS messages get wrapped when pasted) and cut at each message anchor.
 */
export function parseText(input: string, text: string, source: DenialSource = 'iam-message'): ParsedInput {
  const denials: Denial[] = [];
  const unreadable: Unreadable[] = [];
  let skipped = 0;
  const paragraphs = text.replace(/\r\n?/g, '\n').split(/\n\s*\n/);
  let anyAnchor = false;
  const multi = paragraphs.filter((p) => p.trim()).length > 1;
  paragraphs.forEach((paragraph, pi) => {
    if (!paragraph.trim()) return;
    const joined = paragraph
      .split('\n')
      .map((l) => l.trim())
      .join(' ');
    const starts = messageStarts(joined);
    const label = multi ? `${input} (paragraph ${pi + 1})` : input;
    if (starts.length === 0) {
      if (ACCESS_WORDS.test(joined)) {
        anyAnchor = true;
        const parsed = parseMessage(label, joined, source);
        if (isDenial(parsed)) denials.push(parsed);
        else unreadable.push(parsed);
      } else skipped++;
      return;
    }
    anyAnchor = true;
    // What comes before the first message ("download failed: s3://b/k to ./k") is part of it.
    const bounds = [0, ...starts.slice(1), joined.length];
    const pieces = bounds.slice(0, -1).map((s, i) => joined.slice(s, bounds[i + 1]));
    pieces.forEach((piece, i) => {
      const parsed = parseMessage(pieces.length > 1 ? `${label} [${i + 1}]` : label, piece, source);
      if (isDenial(parsed)) denials.push(parsed);
      else unreadable.push(parsed);
    });
  });
  if (!anyAnchor) {
    return {
      denials: [],
      unreadable: [{ input, reason: 'could not read an access error here: no "is not authorized to perform", AccessDenied, UnauthorizedOperation or "An error occurred (...)" in it', text: text.trim() }],
      skipped: 0,
    };
  }
  return { denials, unreadable, skipped };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function obj(v: Json | undefined): Record<string, Json> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}
function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A decoded authorization message (STS DecodeAuthorizationMessage, "context" and "matchedStatements"). */
function fromDecoded(input: string, doc: Record<string, Json>, raw: string): Denial | undefined {
  const context = obj(doc['context']);
  if (!context || !('allowed' in doc)) return undefined;
  if (doc['allowed'] === true) return undefined;
  const principal = obj(context['principal']);
  const conditions: Record<string, string[]> = {};
  const items = obj(context['conditions'])?.['items'];
  if (Array.isArray(items)) {
    for (const item of items) {
      const o = obj(item);
      const key = str(o?.['key']);
      const values = obj(o?.['values'])?.['items'];
      if (!key) continue;
      conditions[key] = Array.isArray(values) ? values.map((v) => str(obj(v)?.['value']) ?? '').filter((v) => v !== '') : [];
    }
  }
  const explicit = doc['explicitDeny'] === true;
  const matched = obj(doc['matchedStatements'])?.['items'];
  const statementIds = Array.isArray(matched) ? matched.map((m) => str(obj(m)?.['statementId'])).filter((x): x is string => !!x) : [];
  return {
    input,
    source: 'decoded-authorization',
    text: raw.length > 600 ? `${raw.slice(0, 600)}…` : raw,
    ...(str(principal?.['arn']) ? { principal: str(principal?.['arn']) } : {}),
    ...(str(context['action']) ? { action: str(context['action']) } : {}),
    ...(str(context['resource']) ? { resource: str(context['resource']) } : {}),
    kind: explicit ? 'explicit' : 'implicit',
    ...(Object.keys(conditions).length ? { context: conditions } : {}),
    ...(statementIds.length ? { statementIds } : {}),
  };
}

/** One CloudTrail record: an access error, something else (skipped), or unreadable. */
function fromCloudTrail(input: string, ev: Record<string, Json>): Denial | 'skip' {
  const errorCode = str(ev['errorCode']);
  if (!isAccessErrorCode(errorCode)) return 'skip';
  const errorMessage = str(ev['errorMessage']) ?? '';
  const identity = obj(ev['userIdentity']);
  const issuer = str(obj(obj(identity?.['sessionContext'])?.['sessionIssuer'])?.['arn']);
  const service = (str(ev['eventSource']) ?? '').replace(/\.amazonaws\.com$/, '');
  const eventName = str(ev['eventName']) ?? '';
  const parsed = errorMessage ? parseIamMessage(errorMessage) : undefined;
  const invokedBy = str(identity?.['invokedBy']);
  const principal = parsed?.principal ?? str(identity?.['arn']) ?? (str(identity?.['type']) === 'AWSService' ? invokedBy : undefined);
  const resources = ev['resources'];
  const firstResource = Array.isArray(resources) ? str(obj(resources[0])?.['ARN']) : undefined;
  const req = obj(ev['requestParameters']);
  const s3 = str(req?.['bucketName']) ? `arn:aws:s3:::${str(req?.['bucketName'])}${str(req?.['key']) ? `/${str(req?.['key'])}` : ''}` : undefined;
  // Names in the request parameters, as ARNs (CloudTrail's own region and account).
  const region = str(ev['awsRegion']);
  const account = str(ev['recipientAccountId']);
  const named = (type: string, name: string | undefined, lower = false): string | undefined =>
    name && region && account ? `arn:aws:${service}:${region}:${account}:${type}/${lower ? name.toLowerCase() : name}` : undefined;
  const fromParameters =
    (str(req?.['roleArn'])?.startsWith('arn:') ? str(req?.['roleArn']) : undefined) ??
    (str(req?.['keyId'])?.startsWith('arn:') ? str(req?.['keyId']) : undefined) ??
    (service === 'sagemaker' ? (named('training-job', str(req?.['trainingJobName']), true) ?? named('pipeline', str(req?.['pipelineName']), true)) : undefined) ??
    (service === 'events' && /Rule$/.test(eventName) ? named('rule', str(req?.['name'])) : undefined) ??
    (service === 'events' && /Targets$/.test(eventName) ? named('rule', str(req?.['rule'])) : undefined);
  const resource = parsed?.resource ?? firstResource ?? s3 ?? fromParameters;
  const action = parsed?.action ?? (service && eventName ? operationAction(service, eventName) : undefined);
  const time = str(ev['eventTime']);
  return {
    input,
    source: 'cloudtrail',
    text: errorMessage || `${errorCode ?? ''} on ${eventName}`,
    ...(principal ? { principal } : {}),
    ...(issuer ? { principalRoleArn: issuer } : {}),
    ...(action ? { action } : {}),
    ...(resource ? { resource } : {}),
    ...(parsed?.layer ? { layer: parsed.layer } : {}),
    ...(parsed?.kind ? { kind: parsed.kind } : {}),
    ...(parsed?.policyArn ? { policyArn: parsed.policyArn } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(eventName ? { operation: eventName } : {}),
    ...(time ? { time } : {}),
  };
}

function parseEmbeddedJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** JSON inputs: the AWS CLI outputs and log files the module header lists. */
export function parseJsonInput(input: string, value: Json): ParsedInput {
  const denials: Denial[] = [];
  const unreadable: Unreadable[] = [];
  let skipped = 0;
  const take = (r: ParsedInput): void => {
    denials.push(...r.denials);
    unreadable.push(...r.unreadable);
    skipped += r.skipped;
  };
  const root = obj(value);
  const records = root?.['Records'];
  const events = root?.['Events'];
  if (Array.isArray(records)) {
    records.forEach((r, i) => {
      const ev = obj(r);
      const d = ev ? fromCloudTrail(`${input} Records[${i}]`, ev) : 'skip';
      if (d === 'skip') skipped++;
      else denials.push(d);
    });
    return { denials, unreadable, skipped };
  }
  if (Array.isArray(events)) {
    events.forEach((e, i) => {
      const label = `${input} Events[${i}]`;
      const raw = str(obj(e)?.['CloudTrailEvent']);
      const ev = raw !== undefined ? obj(parseEmbeddedJson(raw)) : undefined;
      if (raw !== undefined && !ev) {
        unreadable.push({ input: label, reason: 'its CloudTrailEvent is not valid JSON', text: raw });
        return;
      }
      const d = ev ? fromCloudTrail(label, ev) : 'skip';
      if (d === 'skip') skipped++;
      else denials.push(d);
    });
    return { denials, unreadable, skipped };
  }
  if (root && str(root['eventSource']) !== undefined && 'userIdentity' in root) {
    const d = fromCloudTrail(input, root);
    return d === 'skip' ? { denials, unreadable, skipped: 1 } : { denials: [d], unreadable, skipped };
  }
  if (root && str(root['DecodedMessage']) !== undefined) {
    const raw = str(root['DecodedMessage']) ?? '';
    const inner = obj(parseEmbeddedJson(raw));
    const d = inner ? fromDecoded(input, inner, raw) : undefined;
    if (d) return { denials: [d], unreadable, skipped };
    if (inner && inner['allowed'] === true) return { denials, unreadable, skipped: 1 };
    return { denials, unreadable: [{ input, reason: 'its DecodedMessage is not a decoded authorization message (no "allowed" and "context")', text: raw }], skipped };
  }
  if (root && 'allowed' in root && obj(root['context'])) {
    const d = fromDecoded(input, root, JSON.stringify(root));
    return d ? { denials: [d], unreadable, skipped } : { denials, unreadable, skipped: 1 };
  }
  if (root && (str(root['TrainingJobName']) !== undefined || str(root['TrainingJobStatus']) !== undefined)) {
    const reason = str(root['FailureReason']);
    if (!reason) return { denials, unreadable, skipped: 1 };
    const r = parseText(`${input} FailureReason`, reason, 'training-job');
    const roleArn = str(root['RoleArn']);
    if (!r.denials.length && !r.unreadable.length) return { denials, unreadable, skipped: 1 };
    // The training job's own calls are made with its role; a message that names no caller is the role's.
    return {
      denials: r.denials.map((d) => ({ ...d, source: 'training-job' as const, ...(roleArn ? { principalRoleArn: d.principalRoleArn ?? roleArn, principal: d.principal ?? roleArn } : {}) })),
      unreadable: r.unreadable.filter(() => ACCESS_WORDS.test(reason)),
      skipped: r.unreadable.length && !ACCESS_WORDS.test(reason) ? 1 : 0,
    };
  }
  const steps = root?.['PipelineExecutionSteps'];
  if (Array.isArray(steps)) {
    steps.forEach((s, i) => {
      const reason = str(obj(s)?.['FailureReason']);
      if (!reason || !ACCESS_WORDS.test(reason)) {
        skipped++;
        return;
      }
      const r = parseText(`${input} PipelineExecutionSteps[${i}]`, reason, 'pipeline-step');
      take({ ...r, denials: r.denials.map((d) => ({ ...d, source: 'pipeline-step' as const })) });
    });
    return { denials, unreadable, skipped };
  }
  // Unknown JSON: read every string that holds an access error.
  const found: Array<{ path: string; text: string }> = [];
  const walk = (v: Json, path: string): void => {
    if (typeof v === 'string') {
      if (/is not authorized to perform|An error occurred \(|AccessDenied|UnauthorizedOperation/.test(v)) found.push({ path, text: v });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(value, '$');
  if (!found.length) {
    return {
      denials,
      unreadable: [
        {
          input,
          reason:
            'could not read this JSON: it is not CloudTrail (Records or lookup-events Events), describe-training-job, list-pipeline-execution-steps or a decoded authorization message, and no string in it holds an access error',
          text: JSON.stringify(value).slice(0, 400),
        },
      ],
      skipped,
    };
  }
  for (const f of found) take(parseText(`${input} ${f.path}`, f.text));
  return { denials, unreadable, skipped };
}

/** Any input: JSON when it parses as JSON, text otherwise. */
export function parseInput(input: string, text: string): ParsedInput {
  const trimmed = text.trim();
  if (!trimmed) return { denials: [], unreadable: [{ input, reason: 'the input is empty', text: '' }], skipped: 0 };
  if (/^[[{]/.test(trimmed)) {
    const value = parseEmbeddedJson(trimmed);
    if (value !== undefined) return parseJsonInput(input, value);
  }
  return parseText(input, text);
}
