/**
 * The values a snapshot may leave out. schemas/snapshot.schema.json requires only what
 * identifies a principal (a role's ARN, name and trust policy; a user's or group's ARN and
 * name); the rest of the tool reads the full `AccountSnapshot` type, so the reader fills in
 * what the schema lets a hand-written snapshot omit: no policies, no tags, no groups, no
 * security groups or subnets, no aliases, the root path. Without this, `check` on a role without `attachedPolicies` stopped with an
 * internal error (found by test/fuzz, kept by test/account/snapshot-optional.test.ts).
 */
import type { AccountSnapshot } from './snapshot.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fill(o: unknown, defaults: Readonly<Record<string, () => unknown>>): unknown {
  if (!isObj(o)) return o;
  const out: Obj = { ...o };
  for (const [k, make] of Object.entries(defaults)) if (!Object.prototype.hasOwnProperty.call(out, k)) out[k] = make();
  return out;
}

// A role's tags are not defaulted: absent means "not read", and then aws:PrincipalTag/* is
// unknown for its sessions (steps that depend on it are undecided, never decided as if the
// role had no tags).
const PRINCIPAL = { path: () => '/', inlinePolicies: () => [], attachedPolicies: () => [] };

/** The snapshot (already valid against the schema) with every omitted default filled in. */
export function withSnapshotDefaults(s: AccountSnapshot): AccountSnapshot {
  const list = (v: unknown, defaults: Readonly<Record<string, () => unknown>>): unknown => (Array.isArray(v) ? v.map((x) => fill(x, defaults)) : v);
  const raw = s as unknown as Obj;
  return {
    ...raw,
    roles: list(raw.roles, { ...PRINCIPAL, serviceLinked: () => false }),
    ...(raw.users !== undefined ? { users: list(raw.users, { ...PRINCIPAL, tags: () => ({}), groups: () => [] }) } : {}),
    ...(raw.groups !== undefined ? { groups: list(raw.groups, { inlinePolicies: () => [], attachedPolicies: () => [] }) } : {}),
    ...(isObj(raw.sagemaker)
      ? {
          sagemaker: {
            ...raw.sagemaker,
            domains: list(raw.sagemaker.domains, { subnetIds: () => [], securityGroupIds: () => [], tags: () => ({}) }),
            userProfiles: list(raw.sagemaker.userProfiles, { securityGroupIds: () => [], tags: () => ({}) }),
            spaces: list(raw.sagemaker.spaces, { tags: () => ({}) }),
          },
        }
      : {}),
    kmsKeys: list(raw.kmsKeys, { aliases: () => [] }),
  } as unknown as AccountSnapshot;
}
