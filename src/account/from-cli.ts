/**
 * Building a snapshot from the files a user saves with the AWS CLI today
 * (`nbjob-iam snapshot --from-cli DIR`). docs/snapshot-from-cli.md lists the commands and
 * the file each output goes to; `CLI_FILES` below is the same list as data.
 *
 * AWS returns policy documents in three shapes: IAM's API URL-encodes them (the CLI
 * decodes them, SDKs do not), Organizations, KMS, S3 and EC2 return JSON inside a string.
 * `decodePolicyDocument` accepts all of them.
 *
 * Nothing here throws on bad input: a missing file becomes a gap, a malformed one an
 * error naming the file, line and column; the snapshot keeps what could be read.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, maxBytesFor, readTextFileSync } from '../input/index.js';
import { parseJson, toPlain } from '../policy/json.js';
import type { JsonNode } from '../policy/json.js';
import type { FileError } from './read-snapshot.js';
import type {
  AccountSnapshot,
  EcrRepository,
  Group,
  KmsKey,
  NamedPolicy,
  OrgLevel,
  Organization,
  PolicyJson,
  Role,
  S3Bucket,
  SageMakerDomain,
  SageMakerSpace,
  SageMakerUserProfile,
  SnapshotGap,
  User,
  VpcEndpoint,
} from './snapshot.js';

/** The AWS CLI commands whose output the importer reads, and the file names they go to. */
export const CLI_FILES: readonly { readonly file: string; readonly command: string; readonly required: boolean; readonly note?: string }[] = [
  { file: 'sts-get-caller-identity.json', command: 'aws sts get-caller-identity', required: true },
  { file: 'iam-get-account-authorization-details.json', command: 'aws iam get-account-authorization-details', required: true },
  { file: 'organizations-describe-organization.json', command: 'aws organizations describe-organization', required: false, note: 'absent: the account is not in an organization' },
  { file: 'organizations-list-roots.json', command: 'aws organizations list-roots', required: false, note: 'from the management account or a delegated administrator' },
  { file: 'organizations-list-parents-<child-id>.json', command: 'aws organizations list-parents --child-id <child-id>', required: false, note: 'for the account, then for each OU up to the root' },
  { file: 'organizations-list-policies-for-target-<target-id>-scp.json', command: 'aws organizations list-policies-for-target --target-id <target-id> --filter SERVICE_CONTROL_POLICY', required: false, note: 'for the root, each OU and the account' },
  { file: 'organizations-list-policies-for-target-<target-id>-rcp.json', command: 'aws organizations list-policies-for-target --target-id <target-id> --filter RESOURCE_CONTROL_POLICY', required: false, note: 'same, when RCPs are enabled' },
  { file: 'organizations-describe-policy-<policy-id>.json', command: 'aws organizations describe-policy --policy-id <policy-id>', required: false, note: 'for every policy listed above' },
  { file: 'ec2-describe-vpc-endpoints.json', command: 'aws ec2 describe-vpc-endpoints', required: false },
  { file: 'kms-list-aliases.json', command: 'aws kms list-aliases', required: false },
  { file: 'kms-describe-key-<key-id>.json', command: 'aws kms describe-key --key-id <key-id>', required: false, note: 'for each key the jobs use' },
  { file: 'kms-get-key-policy-<key-id>.json', command: 'aws kms get-key-policy --key-id <key-id> --policy-name default', required: false },
  { file: 's3api-get-bucket-policy-<bucket>.json', command: 'aws s3api get-bucket-policy --bucket <bucket>', required: false, note: 'for each job bucket; none saved = no bucket policy' },
  { file: 's3api-get-bucket-encryption-<bucket>.json', command: 'aws s3api get-bucket-encryption --bucket <bucket>', required: false },
  { file: 's3api-get-bucket-location-<bucket>.json', command: 'aws s3api get-bucket-location --bucket <bucket>', required: false },
  { file: 'sagemaker-describe-domain-<domain-id>.json', command: 'aws sagemaker describe-domain --domain-id <domain-id>', required: true },
  { file: 'sagemaker-describe-user-profile-<domain-id>-<name>.json', command: 'aws sagemaker describe-user-profile --domain-id <domain-id> --user-profile-name <name>', required: false },
  { file: 'sagemaker-describe-space-<domain-id>-<name>.json', command: 'aws sagemaker describe-space --domain-id <domain-id> --space-name <name>', required: false },
  { file: 'sagemaker-list-tags-user-profile-<domain-id>-<name>.json', command: 'aws sagemaker list-tags --resource-arn <user-profile ARN>', required: false, note: 'tags are copied onto the jobs; SCPs may require them (older name: sagemaker-list-tags-<domain-id>-<name>.json)' },
  { file: 'sagemaker-list-tags-space-<domain-id>-<name>.json', command: 'aws sagemaker list-tags --resource-arn <space ARN>', required: false, note: 'the same, for a shared space' },
  { file: 'sagemaker-list-tags-<domain-id>.json', command: 'aws sagemaker list-tags --resource-arn <domain ARN>', required: false },
  { file: 'ecr-get-repository-policy-<repository>.json', command: 'aws ecr get-repository-policy --repository-name <repository>', required: false, note: 'custom images only' },
];

export interface FromCliResult {
  readonly snapshot: AccountSnapshot;
  /** Files that could not be read as expected (the snapshot has what the others gave). */
  readonly errors: readonly FileError[];
  readonly gaps: readonly SnapshotGap[];
  /**
   * Required files (sts, iam, one SageMaker domain) that are absent, empty or hold an
   * error instead of the output, each with the command that writes it. When any is listed
   * the snapshot is not usable (its account or region is unknown: never invented).
   */
  readonly missingRequired: readonly { readonly file: string; readonly command: string; readonly reason: string }[];
  /** JSON files of the folder that no name of `CLI_FILES` (or its natural form) matched: not read. */
  readonly unused: readonly string[];
}

export interface FromCliOptions {
  readonly region?: string;
  /** Cap per file in bytes (--max-input-size); default: the AWS CLI output default. */
  readonly maxInputBytes?: number;
}

/**
 * The AWS CLI command that writes `file`, with the placeholders filled from the file name
 * (`kms-describe-key-1234.json` → `aws kms describe-key --key-id 1234`).
 */
export function commandForFile(file: string): string | undefined {
  for (const entry of CLI_FILES) {
    const names: string[] = [];
    const pattern = entry.file
      .split(/(<[^>]+>)/)
      .map((part) => {
        const m = /^<([^>]+)>$/.exec(part);
        if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return m[1] === 'domain-id' ? '(d-[a-z0-9]+)' : '(.+)';
      })
      .join('');
    const match = new RegExp(`^${pattern}$`).exec(file);
    if (!match) continue;
    let command = entry.command;
    names.forEach((name, i) => {
      command = command.split(`<${name}>`).join(match[i + 1] ?? `<${name}>`);
    });
    return command;
  }
  return undefined;
}

/** The first line of an error the AWS CLI wrote instead of the output, cut for display. */
function firstLine(text: string): string {
  const line = text.trim().split(/\r?\n/)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** The node at a `$.a.b[0]["c d"]` path, or the deepest node on the way. */
function nodeAtPath(root: JsonNode, path: string): JsonNode {
  let node = root;
  const tokens = path.match(/\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\]/g) ?? [];
  for (const t of tokens) {
    if (t.startsWith('.') || t.startsWith('["')) {
      const key = t.startsWith('.') ? t.slice(1) : (JSON.parse(t.slice(1, -1)) as string);
      if (node.type !== 'object') return node;
      const m = node.members.find((x) => x.key === key);
      if (!m) return node;
      node = m.value;
    } else {
      if (node.type !== 'array') return node;
      const next = node.elements[Number(t.slice(1, -1))];
      if (!next) return node;
      node = next;
    }
  }
  return node;
}

type Json = unknown;

/**
 * The natural names: the command line as a file name, `<service>-<command>--<arg>-<value>…`
 * (e.g. `sagemaker-describe-user-profile--domain-id-d-abc--user-profile-name-alice.json`),
 * each with the name of `CLI_FILES` it stands for. In an ARN, `/` and `:` may be written
 * `_` (they cannot be in a file name).
 */
const NATURAL_NAMES: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^organizations-list-parents--child-id-(.+)\.json$/, (m) => `organizations-list-parents-${m[1]}.json`],
  [/^organizations-list-policies-for-target--target-id-(.+)--filter-SERVICE_CONTROL_POLICY\.json$/, (m) => `organizations-list-policies-for-target-${m[1]}-scp.json`],
  [/^organizations-list-policies-for-target--target-id-(.+)--filter-RESOURCE_CONTROL_POLICY\.json$/, (m) => `organizations-list-policies-for-target-${m[1]}-rcp.json`],
  [/^organizations-describe-policy--policy-id-(.+)\.json$/, (m) => `organizations-describe-policy-${m[1]}.json`],
  [/^kms-describe-key--key-id-(.+)\.json$/, (m) => `kms-describe-key-${m[1]}.json`],
  [/^kms-get-key-policy--key-id-(.+?)(?:--policy-name-default)?\.json$/, (m) => `kms-get-key-policy-${m[1]}.json`],
  [/^s3api-get-bucket-(policy|encryption|location)--bucket-(.+)\.json$/, (m) => `s3api-get-bucket-${m[1]}-${m[2]}.json`],
  [/^sagemaker-describe-domain--domain-id-(.+)\.json$/, (m) => `sagemaker-describe-domain-${m[1]}.json`],
  [/^sagemaker-describe-user-profile--domain-id-(.+)--user-profile-name-(.+)\.json$/, (m) => `sagemaker-describe-user-profile-${m[1]}-${m[2]}.json`],
  [/^sagemaker-describe-space--domain-id-(.+)--space-name-(.+)\.json$/, (m) => `sagemaker-describe-space-${m[1]}-${m[2]}.json`],
  [/^sagemaker-list-tags--resource-arn-.*?(user-profile|space)[_/:-]+(d-[a-z0-9]+)[_/:-]+(.+)\.json$/, (m) => `sagemaker-list-tags-${m[1]}-${m[2]}-${m[3]}.json`],
  [/^sagemaker-list-tags--resource-arn-.*?domain[_/:-]+(d-[a-z0-9]+)\.json$/, (m) => `sagemaker-list-tags-${m[1]}.json`],
  [/^ecr-get-repository-policy--repository-name-(.+)\.json$/, (m) => `ecr-get-repository-policy-${m[1]}.json`],
];

/** The `CLI_FILES` name a saved file stands for: itself, or the one its natural name means. */
export function canonicalCliName(file: string): string {
  for (const [re, to] of NATURAL_NAMES) {
    const m = re.exec(file);
    if (m) return to(m);
  }
  return file;
}

/** Reads one of the saved files; `undefined` when absent. Errors are collected, not thrown. */
class CliDir {
  readonly errors: FileError[] = [];
  readonly gaps: SnapshotGap[] = [];
  /** Files present but empty or holding an error message: their gap is already said. */
  readonly failedSaves = new Map<string, string>();
  private readonly names: string[];
  /** Canonical name → the file on disk (a natural name), when they differ. */
  private readonly onDisk = new Map<string, string>();
  /** Files on disk that were read. */
  readonly used = new Set<string>();
  readonly present: readonly string[];
  private readonly roots = new Map<string, JsonNode>();
  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {
    let names: string[] = [];
    try {
      names = existsSync(dir) ? readdirSync(dir).sort() : [];
    } catch (e) {
      this.errors.push({ file: dir, line: 0, column: 0, path: '$', message: e instanceof Error ? e.message : String(e) });
    }
    this.present = names;
    for (const file of this.present) {
      const canonical = canonicalCliName(file);
      // A file saved under the listed name wins over a natural name for the same output.
      if (canonical !== file && !this.present.includes(canonical) && !this.onDisk.has(canonical)) this.onDisk.set(canonical, file);
    }
    this.names = [...new Set([...this.present.filter((f) => canonicalCliName(f) === f), ...this.onDisk.keys()])].sort();
  }

  has(file: string): boolean {
    return this.names.includes(file);
  }

  /** Files whose name starts with `prefix` and ends with `.json`, with the middle part. */
  matching(prefix: string, suffix = '.json'): { file: string; middle: string }[] {
    return this.names
      .filter((n) => n.startsWith(prefix) && n.endsWith(suffix) && n.length > prefix.length + suffix.length)
      .map((file) => ({ file, middle: file.slice(prefix.length, file.length - suffix.length) }));
  }

  /** Whether `file` is present but could not be used (unreadable, malformed, empty, an error message). */
  failed(file: string): boolean {
    return this.failedSaves.has(file) || this.errors.some((e) => e.file === file);
  }

  read(file: string): Json | undefined {
    if (!this.has(file)) return undefined;
    const actual = this.onDisk.get(file) ?? file;
    this.used.add(actual);
    let text: string;
    try {
      text = readTextFileSync(join(this.dir, actual), { maxBytes: this.maxBytes, displayName: actual }).text;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      this.errors.push({ file, line: e.position?.line ?? 0, column: e.position?.column ?? 0, path: '$', message: e.detail });
      return undefined;
    }
    const rerun = `re-run: ${commandForFile(file) ?? 'the command in docs/snapshot-from-cli.md'} > ${file}`;
    const trimmed = text.trimStart();
    if (trimmed === '') {
      // `aws ... > file` that failed leaves an empty file: the output is missing, not malformed.
      this.failedSaves.set(file, 'is empty');
      this.gaps.push({ what: file, file, message: `${file} is empty (the command failed when it was saved); ${rerun}` });
      return undefined;
    }
    if (trimmed[0] !== '{' && trimmed[0] !== '[') {
      // An error message saved instead of the output (`aws ... > file 2>&1`).
      this.failedSaves.set(file, `holds "${firstLine(text)}"`);
      this.gaps.push({ what: file, file, message: `${file} holds an error, not the output: "${firstLine(text)}"; ${rerun}` });
      return undefined;
    }
    const parsed = parseJson(text);
    if (!parsed.ok) {
      this.errors.push({ file: actual, line: parsed.error.line, column: parsed.error.column, path: parsed.error.path, message: parsed.error.message });
      return undefined;
    }
    this.roots.set(file, parsed.root);
    return toPlain(parsed.root);
  }

  expect(file: string, what: string): Json | undefined {
    const value = this.read(file);
    if (value === undefined && !this.failed(file)) {
      this.gaps.push({ what, file, message: `${file} is missing: save it with ${commandForFile(file) ?? 'the command in docs/snapshot-from-cli.md'} > ${file}` });
    }
    return value;
  }

  /** The value at `path` is not what the command writes: the error points at it in the file. */
  wrongShape(file: string, path: string, expected: string): void {
    const root = this.roots.get(file);
    const node = root ? nodeAtPath(root, path) : undefined;
    this.errors.push({ file, line: node?.loc.line ?? 0, column: node?.loc.column ?? 0, path, message: `expected ${expected}` });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * Tags as a record. Keys are data: one named `__proto__` or `constructor` is kept as an own
 * property (an assignment would set the prototype and drop the tag).
 */
/** Tags as AWS returns them; a Value that is not a string is reported (by index) and left out. */
function tagsOf(v: unknown, wrongValue: (index: number) => void): Record<string, string> {
  const out: Record<string, string> = {};
  list(v).forEach((t, i) => {
    if (isObject(t) && typeof t.Key === 'string') {
      if (t.Value !== undefined && typeof t.Value !== 'string') return wrongValue(i);
      Object.defineProperty(out, t.Key, { value: t.Value ?? '', enumerable: true, writable: true, configurable: true });
    }
  });
  return out;
}

/**
 * Decodes a policy document as AWS returns it: an object (the CLI decoded it), JSON in a
 * string (Organizations, KMS, S3, EC2), or URL-encoded JSON in a string (the IAM API).
 */
export function decodePolicyDocument(value: unknown): PolicyJson | undefined {
  if (isObject(value)) return value;
  if (typeof value !== 'string') return undefined;
  const tryParse = (s: string): PolicyJson | undefined => {
    const parsed = parseJson(s);
    if (!parsed.ok) return undefined;
    const plain = toPlain(parsed.root);
    return isObject(plain) ? (JSON.parse(JSON.stringify(plain)) as PolicyJson) : undefined;
  };
  const direct = tryParse(value);
  if (direct) return direct;
  try {
    return tryParse(decodeURIComponent(value.replace(/\+/g, '%20')));
  } catch {
    return undefined;
  }
}

function policyOrError(dir: CliDir, file: string, path: string, value: unknown): PolicyJson | undefined {
  const doc = decodePolicyDocument(value);
  if (!doc) dir.wrongShape(file, path, 'a policy document (JSON, JSON in a string, or URL-encoded JSON)');
  return doc;
}

/** Reads the IAM authorization details (possibly several saved pages). */
function readIam(dir: CliDir): { roles: Role[]; users: User[]; groups: Group[] } {
  const files = [
    ...(dir.has('iam-get-account-authorization-details.json') ? ['iam-get-account-authorization-details.json'] : []),
    ...dir.matching('iam-get-account-authorization-details-').map((m) => m.file),
  ];
  if (files.length === 0) {
    dir.expect('iam-get-account-authorization-details.json', 'IAM roles and policies');
    return { roles: [], users: [], groups: [] };
  }
  const managed = new Map<string, NamedPolicy>();
  const pages: { file: string; body: Record<string, unknown> }[] = [];
  for (const file of files) {
    const body = dir.read(file);
    if (body === undefined) continue;
    if (!isObject(body)) {
      dir.wrongShape(file, '$', 'the output of aws iam get-account-authorization-details (an object)');
      continue;
    }
    pages.push({ file, body });
    list(body.Policies).forEach((p, i) => {
      if (!isObject(p) || typeof p.Arn !== 'string') return;
      const versions = list(p.PolicyVersionList);
      const def = versions.find((v) => isObject(v) && (v.IsDefaultVersion === true || v.VersionId === p.DefaultVersionId));
      if (!isObject(def)) return;
      const document = policyOrError(dir, file, `$.Policies[${i}].PolicyVersionList`, def.Document);
      if (document) managed.set(p.Arn, { name: str(p.PolicyName) ?? p.Arn, arn: p.Arn, document });
    });
  }
  const attached = (file: string, path: string, v: unknown): NamedPolicy[] =>
    list(v).flatMap((a, i) => {
      if (!isObject(a) || typeof a.PolicyArn !== 'string') return [];
      const p = managed.get(a.PolicyArn);
      if (!p) {
        dir.gaps.push({ what: `managed policy ${a.PolicyArn}`, file, message: `${path}[${i}]: the document of ${a.PolicyArn} is not in the saved Policies list` });
        return [];
      }
      return [p];
    });
  const inline = (file: string, path: string, v: unknown): NamedPolicy[] =>
    list(v).flatMap((p, i) => {
      if (!isObject(p)) return [];
      const document = policyOrError(dir, file, `${path}[${i}].PolicyDocument`, p.PolicyDocument);
      return document ? [{ name: str(p.PolicyName) ?? `inline-${i}`, document }] : [];
    });
  const boundary = (file: string, v: unknown): NamedPolicy | undefined => {
    if (!isObject(v) || typeof v.PermissionsBoundaryArn !== 'string') return undefined;
    const p = managed.get(v.PermissionsBoundaryArn);
    if (!p) dir.gaps.push({ what: `permissions boundary ${v.PermissionsBoundaryArn}`, file, message: 'its document is not in the saved Policies list' });
    return p;
  };
  const roles: Role[] = [];
  const users: User[] = [];
  const groups: Group[] = [];
  for (const { file, body } of pages) {
    list(body.RoleDetailList).forEach((r, i) => {
      const path = `$.RoleDetailList[${i}]`;
      if (!isObject(r) || typeof r.Arn !== 'string' || typeof r.RoleName !== 'string') return dir.wrongShape(file, path, 'a role with Arn and RoleName');
      const trustPolicy = policyOrError(dir, file, `${path}.AssumeRolePolicyDocument`, r.AssumeRolePolicyDocument);
      const rolePath = str(r.Path) ?? '/';
      roles.push({
        arn: r.Arn,
        name: r.RoleName,
        path: rolePath,
        roleId: str(r.RoleId),
        trustPolicy: trustPolicy ?? { Version: '2012-10-17', Statement: [] },
        inlinePolicies: inline(file, `${path}.RolePolicyList`, r.RolePolicyList),
        attachedPolicies: attached(file, `${path}.AttachedManagedPolicies`, r.AttachedManagedPolicies),
        permissionsBoundary: boundary(file, r.PermissionsBoundary),
        // No Tags list in the saved output: the tags were not read (aws:PrincipalTag/* unknown).
        ...(Array.isArray(r.Tags) ? { tags: tagsOf(r.Tags, (j) => dir.wrongShape(file, `${path}.Tags[${j}].Value`, 'a tag value (a string)')) } : {}),
        serviceLinked: rolePath.startsWith('/aws-service-role/'),
      });
    });
    list(body.UserDetailList).forEach((u, i) => {
      const path = `$.UserDetailList[${i}]`;
      if (!isObject(u) || typeof u.Arn !== 'string' || typeof u.UserName !== 'string') return dir.wrongShape(file, path, 'a user with Arn and UserName');
      users.push({
        arn: u.Arn,
        name: u.UserName,
        path: str(u.Path) ?? '/',
        userId: str(u.UserId),
        inlinePolicies: inline(file, `${path}.UserPolicyList`, u.UserPolicyList),
        attachedPolicies: attached(file, `${path}.AttachedManagedPolicies`, u.AttachedManagedPolicies),
        groups: list(u.GroupList).filter((g): g is string => typeof g === 'string'),
        permissionsBoundary: boundary(file, u.PermissionsBoundary),
        tags: tagsOf(u.Tags, (j) => dir.wrongShape(file, `${path}.Tags[${j}].Value`, 'a tag value (a string)')),
      });
    });
    list(body.GroupDetailList).forEach((g, i) => {
      const path = `$.GroupDetailList[${i}]`;
      if (!isObject(g) || typeof g.Arn !== 'string' || typeof g.GroupName !== 'string') return dir.wrongShape(file, path, 'a group with Arn and GroupName');
      groups.push({
        arn: g.Arn,
        name: g.GroupName,
        inlinePolicies: inline(file, `${path}.GroupPolicyList`, g.GroupPolicyList),
        attachedPolicies: attached(file, `${path}.AttachedManagedPolicies`, g.AttachedManagedPolicies),
      });
    });
  }
  return { roles, users, groups };
}

function readOrganization(dir: CliDir, accountId: string): Organization | undefined {
  const org = dir.read('organizations-describe-organization.json');
  if (org === undefined) return undefined;
  const o = isObject(org) && isObject(org.Organization) ? org.Organization : undefined;
  if (!o) {
    dir.wrongShape('organizations-describe-organization.json', '$.Organization', 'the output of aws organizations describe-organization');
    return undefined;
  }
  const isManagementAccount = o.MasterAccountId === accountId;
  const roots = dir.read('organizations-list-roots.json');
  const root = isObject(roots) ? list(roots.Roots).find(isObject) : undefined;
  const enabled = (type: string): boolean | undefined =>
    root ? list(root.PolicyTypes).some((p) => isObject(p) && p.Type === type && p.Status === 'ENABLED') : undefined;

  // Walk from the account up to the root through the saved list-parents outputs.
  const chain: { id: string; type: OrgLevel['type'] }[] = [{ id: accountId, type: 'ACCOUNT' }];
  for (let guard = 0; guard < 10; guard++) {
    const child = chain[chain.length - 1]!;
    if (child.type === 'ROOT') break;
    const file = `organizations-list-parents-${child.id}.json`;
    const parents = dir.expect(file, `the parent of ${child.id} in the organization`);
    const parent = isObject(parents) ? list(parents.Parents).find(isObject) : undefined;
    if (!parent || typeof parent.Id !== 'string') break;
    chain.push({ id: parent.Id, type: parent.Type === 'ROOT' ? 'ROOT' : 'ORGANIZATIONAL_UNIT' });
  }
  // A level whose policies could not be read must not become a level with none: that
  // would read as "nothing allowed". Such SCPs/RCPs are left out and said to be missing.
  const unread = { scp: false, rcp: false };
  const policiesAt = (target: string, kind: 'scp' | 'rcp'): NamedPolicy[] => {
    const file = `organizations-list-policies-for-target-${target}-${kind}.json`;
    const listed = kind === 'scp' ? dir.expect(file, `SCPs attached to ${target}`) : dir.read(file);
    if (!isObject(listed)) {
      unread[kind] = true;
      return [];
    }
    return list(listed.Policies).flatMap((p) => {
      if (!isObject(p) || typeof p.Id !== 'string') return [];
      const pf = `organizations-describe-policy-${p.Id}.json`;
      const described = dir.expect(pf, `the content of policy ${p.Id}`);
      const content = isObject(described) && isObject(described.Policy) ? described.Policy.Content : undefined;
      if (described === undefined) {
        unread[kind] = true;
        return [];
      }
      const document = policyOrError(dir, pf, '$.Policy.Content', content);
      return document ? [{ name: str(p.Name) ?? p.Id, arn: str(p.Arn), document }] : [];
    });
  };
  const reachedRoot = chain[chain.length - 1]?.type === 'ROOT';
  if (!reachedRoot && !isManagementAccount) {
    dir.gaps.push({ what: 'organization path', message: 'the path from the account to the root is incomplete, so SCPs cannot be decided' });
  }
  const path: OrgLevel[] = chain
    .slice()
    .reverse()
    .map((l) => ({ id: l.id, type: l.type, scps: policiesAt(l.id, 'scp'), rcps: policiesAt(l.id, 'rcp') }));
  const scpsEnabled = enabled('SERVICE_CONTROL_POLICY') ?? path.some((l) => l.scps.length > 0);
  const rcpsEnabled = enabled('RESOURCE_CONTROL_POLICY') ?? path.some((l) => l.rcps.length > 0);
  const incomplete = !reachedRoot || unread.scp;
  if (scpsEnabled && incomplete && !isManagementAccount) {
    dir.gaps.push({ what: 'organization SCPs', message: 'not every level of the organization path could be read, so SCPs are not checked' });
  }
  if (rcpsEnabled && unread.rcp && !isManagementAccount) {
    dir.gaps.push({ what: 'organization RCPs', message: 'not every level of the organization path could be read, so RCPs are not checked' });
  }
  // Unknown whether enabled (no list-roots) counts as maybe enabled: unread, not absent.
  const scpsUnread = !isManagementAccount && incomplete && enabled('SERVICE_CONTROL_POLICY') !== false;
  const rcpsUnread = !isManagementAccount && unread.rcp && enabled('RESOURCE_CONTROL_POLICY') !== false;
  const merge = 'save the organization files from the management account or a delegated administrator, or merge them with snapshot --merge-org';
  return {
    id: str(o.Id),
    isManagementAccount,
    scpsEnabled: scpsEnabled && !incomplete,
    rcpsEnabled: rcpsEnabled && !unread.rcp,
    path,
    ...(scpsUnread ? { scpsUnread: `the organization path or the SCPs attached to it are not in the saved files (${merge})` } : {}),
    ...(rcpsUnread && rcpsEnabled ? { rcpsUnread: `the RCPs attached to the organization path are not in the saved files (${merge})` } : {}),
  };
}

function readSageMaker(dir: CliDir): { domains: SageMakerDomain[]; userProfiles: SageMakerUserProfile[]; spaces: SageMakerSpace[] } {
  // Profiles and spaces have their own names (a space and a profile may share a name);
  // the older name without the kind is still read.
  const tagsFor = (kind: 'user-profile' | 'space' | undefined, ...ids: string[]): Record<string, string> => {
    const own = kind ? `sagemaker-list-tags-${kind}-${ids.join('-')}.json` : undefined;
    const file = own && dir.has(own) ? own : `sagemaker-list-tags-${ids.join('-')}.json`;
    const t = dir.read(file);
    return isObject(t) ? tagsOf(t.Tags, (j) => dir.wrongShape(file, `$.Tags[${j}].Value`, 'a tag value (a string)')) : {};
  };
  const domains: SageMakerDomain[] = [];
  for (const { file } of dir.matching('sagemaker-describe-domain-')) {
    const d = dir.read(file);
    if (!isObject(d) || typeof d.DomainId !== 'string') {
      if (d !== undefined) dir.wrongShape(file, '$', 'the output of aws sagemaker describe-domain');
      continue;
    }
    const dus = isObject(d.DefaultUserSettings) ? d.DefaultUserSettings : {};
    const dss = isObject(d.DefaultSpaceSettings) ? d.DefaultSpaceSettings : {};
    domains.push({
      id: d.DomainId,
      name: str(d.DomainName),
      arn: str(d.DomainArn),
      appNetworkAccessType: d.AppNetworkAccessType === 'VpcOnly' ? 'VpcOnly' : 'PublicInternetOnly',
      vpcId: str(d.VpcId),
      subnetIds: list(d.SubnetIds).filter((s): s is string => typeof s === 'string'),
      securityGroupIds: list(dus.SecurityGroups).filter((s): s is string => typeof s === 'string'),
      defaultExecutionRole: str(dus.ExecutionRole),
      defaultSpaceExecutionRole: str(dss.ExecutionRole),
      kmsKeyId: str(d.KmsKeyId),
      tags: tagsFor(undefined, d.DomainId),
    });
  }
  if (domains.length === 0) dir.gaps.push({ what: 'SageMaker domain', file: 'sagemaker-describe-domain-<domain-id>.json', message: 'no domain saved: save aws sagemaker describe-domain' });
  const userProfiles: SageMakerUserProfile[] = [];
  for (const { file } of dir.matching('sagemaker-describe-user-profile-')) {
    const u = dir.read(file);
    if (!isObject(u) || typeof u.DomainId !== 'string' || typeof u.UserProfileName !== 'string') {
      if (u !== undefined) dir.wrongShape(file, '$', 'the output of aws sagemaker describe-user-profile');
      continue;
    }
    const us = isObject(u.UserSettings) ? u.UserSettings : {};
    userProfiles.push({
      domainId: u.DomainId,
      name: u.UserProfileName,
      arn: str(u.UserProfileArn),
      executionRole: str(us.ExecutionRole),
      securityGroupIds: list(us.SecurityGroups).filter((s): s is string => typeof s === 'string'),
      tags: tagsFor('user-profile', u.DomainId, u.UserProfileName),
    });
  }
  const spaces: SageMakerSpace[] = [];
  for (const { file } of dir.matching('sagemaker-describe-space-')) {
    const s = dir.read(file);
    if (!isObject(s) || typeof s.DomainId !== 'string' || typeof s.SpaceName !== 'string') {
      if (s !== undefined) dir.wrongShape(file, '$', 'the output of aws sagemaker describe-space');
      continue;
    }
    const own = isObject(s.OwnershipSettings) ? s.OwnershipSettings : {};
    spaces.push({
      domainId: s.DomainId,
      name: s.SpaceName,
      arn: str(s.SpaceArn),
      ownerUserProfileName: str(own.OwnerUserProfileName),
      ...(isObject(s.SpaceSharingSettings) && (s.SpaceSharingSettings.SharingType === 'Private' || s.SpaceSharingSettings.SharingType === 'Shared')
        ? { sharingType: s.SpaceSharingSettings.SharingType }
        : {}),
      tags: tagsFor('space', s.DomainId, s.SpaceName),
    });
  }
  return { domains, userProfiles, spaces };
}

function readVpcEndpoints(dir: CliDir): VpcEndpoint[] {
  const file = 'ec2-describe-vpc-endpoints.json';
  const body = dir.read(file);
  if (body === undefined) {
    dir.gaps.push({ what: 'VPC endpoints', file, message: `${file} is ${dir.failed(file) ? 'not usable (see above)' : 'missing'}: endpoint policies cannot be checked` });
    return [];
  }
  if (!isObject(body)) {
    dir.wrongShape(file, '$', 'the output of aws ec2 describe-vpc-endpoints');
    return [];
  }
  return list(body.VpcEndpoints).flatMap((e, i) => {
    if (!isObject(e) || typeof e.VpcEndpointId !== 'string' || typeof e.ServiceName !== 'string') return [];
    const type = e.VpcEndpointType === 'Gateway' ? 'Gateway' : e.VpcEndpointType === 'GatewayLoadBalancer' ? 'GatewayLoadBalancer' : 'Interface';
    const policy = e.PolicyDocument === undefined ? undefined : policyOrError(dir, file, `$.VpcEndpoints[${i}].PolicyDocument`, e.PolicyDocument);
    return [{ id: e.VpcEndpointId, vpcId: str(e.VpcId), serviceName: e.ServiceName, type, policy } satisfies VpcEndpoint];
  });
}

function readKms(dir: CliDir): KmsKey[] {
  const aliasesBody = dir.read('kms-list-aliases.json');
  const aliases = isObject(aliasesBody) ? list(aliasesBody.Aliases) : [];
  // An alias name that is not a string is named (its JSON path), never turned into text.
  const aliasesOf = (keyId: string): string[] =>
    aliases.flatMap((a, i) => {
      if (!isObject(a) || a.TargetKeyId !== keyId) return [];
      if (typeof a.AliasName === 'string') return [a.AliasName];
      dir.wrongShape('kms-list-aliases.json', `$.Aliases[${i}].AliasName`, 'a string (the output of aws kms list-aliases)');
      return [];
    });
  return dir.matching('kms-describe-key-').flatMap(({ file, middle }) => {
    const body = dir.read(file);
    const meta = isObject(body) && isObject(body.KeyMetadata) ? body.KeyMetadata : undefined;
    if (!meta || typeof meta.Arn !== 'string' || typeof meta.KeyId !== 'string') {
      if (body !== undefined) dir.wrongShape(file, '$.KeyMetadata', 'the output of aws kms describe-key');
      return [];
    }
    const pf = `kms-get-key-policy-${middle}.json`;
    const pb = dir.expect(pf, `the key policy of ${meta.KeyId}`);
    const policy = isObject(pb) ? policyOrError(dir, pf, '$.Policy', pb.Policy) : undefined;
    return [
      {
        arn: meta.Arn,
        keyId: meta.KeyId,
        aliases: aliasesOf(meta.KeyId),
        keyManager: meta.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER',
        policy,
      } satisfies KmsKey,
    ];
  });
}

function readBuckets(dir: CliDir, region: string): S3Bucket[] {
  const names = new Set<string>();
  for (const prefix of ['s3api-get-bucket-policy-', 's3api-get-bucket-encryption-', 's3api-get-bucket-location-']) {
    for (const m of dir.matching(prefix)) names.add(m.middle);
  }
  return [...names].sort().map((name) => {
    const pf = `s3api-get-bucket-policy-${name}.json`;
    const pb = dir.read(pf);
    const policy = isObject(pb) ? policyOrError(dir, pf, '$.Policy', pb.Policy) : undefined;
    const eb = dir.read(`s3api-get-bucket-encryption-${name}.json`);
    const rule = isObject(eb) && isObject(eb.ServerSideEncryptionConfiguration) ? list(eb.ServerSideEncryptionConfiguration.Rules).find(isObject) : undefined;
    const def = rule && isObject(rule.ApplyServerSideEncryptionByDefault) ? rule.ApplyServerSideEncryptionByDefault : undefined;
    const lb = dir.read(`s3api-get-bucket-location-${name}.json`);
    // get-bucket-location answers null for us-east-1.
    const location = isObject(lb) ? (typeof lb.LocationConstraint === 'string' && lb.LocationConstraint ? lb.LocationConstraint : 'us-east-1') : undefined;
    const algorithm = def?.SSEAlgorithm;
    return {
      name,
      region: location ?? region,
      policy,
      encryption:
        algorithm === 'AES256' || algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse'
          ? { algorithm, ...(typeof def?.KMSMasterKeyID === 'string' ? { kmsKeyId: def.KMSMasterKeyID } : {}) }
          : undefined,
    } satisfies S3Bucket;
  });
}

function readEcr(dir: CliDir, region: string, accountId: string): EcrRepository[] {
  return dir.matching('ecr-get-repository-policy-').flatMap(({ file, middle }) => {
    const body = dir.read(file);
    if (!isObject(body)) return [];
    const policy = policyOrError(dir, file, '$.policyText', body.policyText);
    const name = str(body.repositoryName) ?? middle;
    return [{ arn: `arn:aws:ecr:${region}:${str(body.registryId) ?? accountId}:repository/${name}`, name, policy }];
  });
}

/**
 * Builds a snapshot from a folder of saved AWS CLI outputs. `region` wins over the
 * region found in the domain's ARN. The account and region are never invented: when
 * they cannot be known, `missingRequired` says which file to save.
 */
export function snapshotFromCliDir(dirPath: string, options: FromCliOptions = {}): FromCliResult {
  const dir = new CliDir(dirPath, maxBytesFor('aws-cli', options.maxInputBytes));
  if (!existsSync(dirPath)) {
    dir.errors.push({ file: dirPath, line: 0, column: 0, path: '$', message: 'folder not found' });
  }
  const identity = dir.expect('sts-get-caller-identity.json', 'the account id');
  let accountId = isObject(identity) ? str(identity.Account) : undefined;
  const sagemaker = readSageMaker(dir);
  const domainArn = sagemaker.domains.find((d) => d.arn)?.arn;
  const arnParts = domainArn?.split(':');
  accountId ??= arnParts?.[4];
  const region = options.region ?? arnParts?.[3] ?? '';
  if (!accountId) dir.gaps.push({ what: 'account id', message: 'no account id: save aws sts get-caller-identity' });
  if (!region) dir.gaps.push({ what: 'region', message: 'no region: pass --region or save aws sagemaker describe-domain' });
  const iam = readIam(dir);
  const snapshot: AccountSnapshot = {
    snapshotVersion: 1,
    generatedAt: new Date().toISOString(),
    source: 'aws-cli',
    accountId: accountId ?? '',
    region,
    partition: arnParts?.[1] === 'aws-cn' || arnParts?.[1] === 'aws-us-gov' ? arnParts[1] : 'aws',
    organization: readOrganization(dir, accountId ?? ''),
    roles: iam.roles,
    users: iam.users,
    groups: iam.groups,
    sagemaker,
    vpcEndpoints: readVpcEndpoints(dir),
    kmsKeys: readKms(dir),
    s3Buckets: readBuckets(dir, region),
    ecrRepositories: readEcr(dir, region, accountId ?? ''),
    gaps: dir.gaps,
  };
  const unused = dir.present.filter((f) => f.endsWith('.json') && !dir.used.has(f));
  return { snapshot, errors: dir.errors, gaps: dir.gaps, missingRequired: missingRequired(dir, accountId, region), unused };
}

/** The required outputs that are absent or unusable, and the account/region when unknown. */
function missingRequired(dir: CliDir, accountId: string | undefined, region: string): FromCliResult['missingRequired'] {
  const out: { file: string; command: string; reason: string }[] = [];
  const why = (file: string): string => dir.failedSaves.get(file) ?? (dir.has(file) ? 'cannot be read' : 'is missing');
  const sts = 'sts-get-caller-identity.json';
  if (!accountId || !dir.has(sts) || dir.failed(sts)) out.push({ file: sts, command: 'aws sts get-caller-identity', reason: accountId ? why(sts) : `${why(sts)}, so the account id is unknown` });
  const iamPages = [...(dir.has('iam-get-account-authorization-details.json') ? ['iam-get-account-authorization-details.json'] : []), ...dir.matching('iam-get-account-authorization-details-').map((m) => m.file)];
  if (iamPages.length === 0 || iamPages.every((f) => dir.failed(f))) {
    const f = iamPages[0] ?? 'iam-get-account-authorization-details.json';
    out.push({ file: f, command: 'aws iam get-account-authorization-details', reason: why(f) });
  }
  const domains = dir.matching('sagemaker-describe-domain-');
  if (domains.length === 0 || domains.every((d) => dir.failed(d.file))) {
    const f = domains[0]?.file ?? 'sagemaker-describe-domain-<domain-id>.json';
    out.push({ file: f, command: 'aws sagemaker describe-domain --domain-id <domain-id>', reason: domains[0] ? why(f) : 'is missing' });
  } else if (!region) {
    out.push({ file: domains[0]!.file, command: 'aws sagemaker describe-domain (or pass --region)', reason: 'has no DomainArn, so the region is unknown' });
  }
  return out;
}

/**
 * The organization of `accountId` from a folder of Organizations CLI outputs saved from the
 * management account or a delegated administrator (`snapshot --merge-org DIR`): the same
 * files and names as in a full folder.
 */
export function organizationFromCliDir(dirPath: string, accountId: string, maxInputBytes?: number): { organization?: Organization; errors: readonly FileError[]; gaps: readonly SnapshotGap[] } {
  const dir = new CliDir(dirPath, maxBytesFor('aws-cli', maxInputBytes));
  if (!existsSync(dirPath)) dir.errors.push({ file: dirPath, line: 0, column: 0, path: '$', message: 'folder not found' });
  const organization = readOrganization(dir, accountId);
  if (!organization && !dir.errors.length) {
    dir.gaps.push({ what: 'organization', file: 'organizations-describe-organization.json', message: 'organizations-describe-organization.json is missing from the organization folder' });
  }
  return { ...(organization ? { organization } : {}), errors: dir.errors, gaps: dir.gaps };
}
