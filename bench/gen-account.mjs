#!/usr/bin/env node
/**
 * Generates a large account snapshot (schemas/snapshot.schema.json) for scale runs of
 * `check --all-profiles`:
 *
 *   npm run gen:account -- --profiles N [--spaces 50] [--seed 1] [--out FILE]
 *
 * One SageMaker domain (VpcOnly, S3 gateway endpoint with a policy, a customer KMS key);
 * N user profiles, each with its own execution role carrying 3 customer managed policies
 * (drawn from a shared pool, so the same document recurs across roles as in a real
 * account) and 1 inline policy of its own; 50 spaces on the domain's default space role;
 * an organization path root → 3 OU levels → account with 20 SCPs (the largest close to
 * the 5,120-character SCP limit) and 5 RCPs. Deterministic for a seed. About one profile
 * in eight misses a permission or a tag, so reports carry failures and fixes, not only
 * passes. Without --out the snapshot goes to stdout.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const KEY_ID = '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
const BUCKET = `sagemaker-automated-execution-${ACCOUNT}-${REGION}`;
const DOMAIN = 'd-scaledomain0001';
const SCP_LIMIT = 5120;

/** mulberry32: a small deterministic PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const doc = (...Statement) => ({ Version: '2012-10-17', Statement });
const TRUST = doc({ Effect: 'Allow', Principal: { Service: ['sagemaker.amazonaws.com', 'events.amazonaws.com'] }, Action: 'sts:AssumeRole' });

const STUDIO_ACTIONS = [
  'sagemaker:DescribeApp', 'sagemaker:DescribeDomain', 'sagemaker:DescribeUserProfile', 'sagemaker:DescribeSpace',
  'sagemaker:DescribeStudioLifecycleConfig', 'sagemaker:DescribeImageVersion', 'sagemaker:DescribeAppImageConfig',
  'sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:Search',
  'sagemaker:CreatePipeline', 'sagemaker:DescribePipeline', 'sagemaker:DeletePipeline', 'sagemaker:StartPipelineExecution',
  'sagemaker:UpdatePipeline', 'sagemaker:ListPipelineExecutions',
];
const NETWORK_ACTIONS = [
  'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:CreateVpcEndpoint', 'ec2:DeleteNetworkInterface',
  'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeDhcpOptions', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables',
  'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeVpcs',
  'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:GetAuthorizationToken',
];

/** The shared pool of customer managed policies; every role gets the core three or a variant. */
function managedPool() {
  const arn = (n) => `arn:aws:iam::${ACCOUNT}:policy/${n}`;
  const pol = (name, d) => ({ name, arn: arn(name), document: d });
  const core = [
    pol('NotebookJobsSageMaker', doc(
      { Sid: 'SageMaker', Effect: 'Allow', Action: STUDIO_ACTIONS, Resource: '*' },
      { Sid: 'ListTags', Effect: 'Allow', Action: ['sagemaker:ListTags'], Resource: ['arn:aws:sagemaker:*:*:user-profile/*', 'arn:aws:sagemaker:*:*:space/*', 'arn:aws:sagemaker:*:*:training-job/*', 'arn:aws:sagemaker:*:*:pipeline/*'] },
      { Sid: 'AddTags', Effect: 'Allow', Action: ['sagemaker:AddTags'], Resource: ['arn:aws:sagemaker:*:*:training-job/*', 'arn:aws:sagemaker:*:*:pipeline/*'] },
      { Sid: 'PassJobRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/*`, Condition: { StringEquals: { 'iam:PassedToService': ['sagemaker.amazonaws.com', 'events.amazonaws.com'] } } },
    )),
    pol('NotebookJobsNetwork', doc({ Sid: 'Network', Effect: 'Allow', Action: NETWORK_ACTIONS, Resource: '*' }, { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'], Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/*` })),
    pol('NotebookJobsEvents', doc(
      { Sid: 'Rules', Effect: 'Allow', Action: ['events:TagResource', 'events:DeleteRule', 'events:PutTargets', 'events:DescribeRule', 'events:PutRule', 'events:RemoveTargets', 'events:DisableRule', 'events:EnableRule'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/sagemaker:is-scheduling-notebook-job': 'true' } } },
      { Sid: 'CreateRules', Effect: 'Allow', Action: ['events:PutRule', 'events:TagResource'], Resource: `arn:aws:events:${REGION}:${ACCOUNT}:rule/*` },
      { Sid: 'Kms', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant'], Resource: KEY_ARN },
    )),
  ];
  // Variants: a narrower SageMaker policy (no pipelines: scheduling fails) and team flavours.
  const variants = [
    pol('NotebookJobsSageMakerNoPipelines', doc({ Sid: 'SageMaker', Effect: 'Allow', Action: STUDIO_ACTIONS.filter((a) => !a.includes('Pipeline')), Resource: '*' }, core[0].document.Statement[1], core[0].document.Statement[2], core[0].document.Statement[3])),
    ...['analytics', 'vision', 'nlp', 'forecasting', 'risk', 'marketing'].map((team) =>
      pol(`NotebookJobsEvents-${team}`, doc(...core[2].document.Statement, { Sid: `Team${team.replace(/^./, (c) => c.toUpperCase())}Logs`, Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:CreateLogGroup'], Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/${team}/*` })),
    ),
  ];
  return { core, variants };
}

/** One SCP of about `size` characters (never above the 5,120 limit). */
function scp(i, size, rand) {
  const statements = [];
  const kind = i % 4;
  if (kind === 0) statements.push({ Sid: `DenyOutsideRegions${i}`, Effect: 'Deny', NotAction: ['iam:*', 'organizations:*', 'sts:*', 'support:*', 'cloudfront:*', 'route53:*', 'budgets:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': [REGION, 'us-west-2'] } } });
  else if (kind === 1) statements.push({ Sid: `ProtectGuardrails${i}`, Effect: 'Deny', Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'config:DeleteConfigRule', 'guardduty:DeleteDetector'], Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/OrgAdmin${i}` } } });
  else if (kind === 2) statements.push({ Sid: `DenyUntaggedEndpoints${i}`, Effect: 'Deny', Action: ['sagemaker:CreateEndpoint', 'sagemaker:CreateEndpointConfig', 'sagemaker:CreateModel'], Resource: '*', Condition: { Null: { 'aws:RequestTag/cost-center': 'true' } } });
  else statements.push({ Sid: `AllowAll${i}`, Effect: 'Allow', Action: '*', Resource: '*' });
  // Pad with deny statements on services notebook jobs never call, up to the size wanted.
  const services = ['gamelift', 'robomaker', 'braket', 'groundstation', 'iotfleetwise', 'lightsail', 'appstream', 'honeycode', 'nimble', 'worklink'];
  let n = 0;
  for (;;) {
    const svc = services[Math.floor(rand() * services.length)];
    const st = { Sid: `Deny${svc}${i}x${n++}`, Effect: 'Deny', Action: [`${svc}:Create*`, `${svc}:Delete*`, `${svc}:Update*`], Resource: '*', Condition: { StringNotLike: { 'aws:PrincipalArn': [`arn:aws:iam::*:role/${svc}-admin-*`] } } };
    const next = JSON.stringify(doc(...statements, st));
    if (next.length > Math.min(size, SCP_LIMIT)) break;
    statements.push(st);
  }
  return doc(...statements);
}

export function generateAccount({ profiles = 1000, spaces = 50, seed = 1 } = {}) {
  const rand = prng(seed);
  const { core, variants } = managedPool();
  const roles = [];
  const userProfiles = [];
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  for (let i = 0; i < profiles; i++) {
    const user = `user${String(i).padStart(5, '0')}`;
    const roleName = `StudioRole-${user}`;
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/service-role/${roleName}`;
    const r = rand();
    // ~6% lack pipelines (scheduling fails), ~6% carry no cost-center tag (the SCP denies training).
    const sm = r < 0.06 ? variants[0] : core[0];
    const events = rand() < 0.5 ? core[2] : pick(variants.slice(1));
    const attached = [sm, core[1], events];
    const inline = {
      name: `Workspace-${user}`,
      document: doc(
        { Sid: 'JobBucket', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation', 's3:GetEncryptionConfiguration', 's3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:CreateBucket', 's3:PutBucketVersioning', 's3:PutEncryptionConfiguration'], Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] },
        { Sid: 'OwnPrefix', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::team-data-${ACCOUNT}/${user}/*` },
        { Sid: 'Driver', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetObject', 's3:GetBucketLocation'], Resource: ['arn:aws:s3:::sagemakerheadlessexecution-*'] },
      ),
    };
    roles.push({ arn: roleArn, name: roleName, path: '/service-role/', roleId: `AROA${String(i).padStart(17, '0')}`, trustPolicy: TRUST, inlinePolicies: [inline], attachedPolicies: attached, tags: { user }, serviceLinked: false });
    const tags = r >= 0.06 && r < 0.12 ? { team: pick(['analytics', 'vision', 'nlp']) } : { team: pick(['analytics', 'vision', 'nlp']), 'cost-center': `cc-${1000 + (i % 97)}` };
    userProfiles.push({ domainId: DOMAIN, name: user, arn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:user-profile/${DOMAIN}/${user}`, executionRole: roleArn, securityGroupIds: [], tags });
  }
  const spaceRole = `arn:aws:iam::${ACCOUNT}:role/service-role/SpaceExecutionRole`;
  roles.push({ arn: spaceRole, name: 'SpaceExecutionRole', path: '/service-role/', roleId: 'AROASPACEROLE00000001', trustPolicy: TRUST, inlinePolicies: [{ name: 'SpaceBucket', document: doc({ Effect: 'Allow', Action: ['s3:*'], Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] }) }], attachedPolicies: core, tags: {}, serviceLinked: false });
  const spaceList = Array.from({ length: spaces }, (_, i) => ({ domainId: DOMAIN, name: `space-${String(i).padStart(3, '0')}`, arn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:space/${DOMAIN}/space-${i}`, ownerUserProfileName: userProfiles[i % Math.max(1, profiles)]?.name, tags: { 'cost-center': 'cc-shared' } }));

  // 20 SCPs over root, 3 OU levels and the account; sizes spread up to the 5,120 limit.
  const scps = Array.from({ length: 20 }, (_, i) => ({ name: `Guardrail${String(i).padStart(2, '0')}`, arn: `arn:aws:organizations::${ACCOUNT}:policy/o-scale00001/service_control_policy/p-scp${String(i).padStart(5, '0')}`, document: scp(i, 1024 + Math.floor((i / 19) * (SCP_LIMIT - 1024)), rand) }));
  scps[19].document = scp(19, SCP_LIMIT, rand);
  const full = { name: 'FullAWSAccess', arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) };
  const requireCostCenter = { name: 'RequireCostCenterOnTraining', document: doc({ Sid: 'DenyUntaggedTraining', Effect: 'Deny', Action: ['sagemaker:CreateTrainingJob'], Resource: '*', Condition: { Null: { 'aws:RequestTag/cost-center': 'true' } } }) };
  const rcps = Array.from({ length: 5 }, (_, i) => ({
    name: `DataPerimeter${i}`,
    document: doc({ Sid: `EnforceTls${i}`, Effect: 'Deny', Principal: '*', Action: ['s3:*', 'kms:*', 'sts:*', 'secretsmanager:*', 'sqs:*'][i], Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
  }));
  const levels = [
    { id: 'r-sc01', type: 'ROOT', name: 'Root', take: [0, 5] },
    { id: 'ou-sc01-level001', type: 'ORGANIZATIONAL_UNIT', name: 'workloads', take: [5, 10] },
    { id: 'ou-sc01-level002', type: 'ORGANIZATIONAL_UNIT', name: 'ml', take: [10, 15] },
    { id: 'ou-sc01-level003', type: 'ORGANIZATIONAL_UNIT', name: 'ml-prod', take: [15, 20] },
    { id: ACCOUNT, type: 'ACCOUNT', name: 'ml-scale', take: [20, 20] },
  ];
  const path = levels.map((l, li) => ({
    id: l.id,
    type: l.type,
    name: l.name,
    scps: [full, ...scps.slice(l.take[0], l.take[1]), ...(li === 2 ? [requireCostCenter] : [])],
    rcps: li < 4 ? rcps.slice(li, li + 1).concat(li === 0 ? [rcps[4]] : []) : [],
  }));

  return {
    snapshotVersion: 1,
    generatedAt: '2026-12-01T00:00:00Z',
    source: 'example',
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    organization: { id: 'o-scale00001', isManagementAccount: false, scpsEnabled: true, rcpsEnabled: true, path },
    roles,
    sagemaker: {
      domains: [{ id: DOMAIN, name: 'scale-studio', arn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:domain/${DOMAIN}`, appNetworkAccessType: 'VpcOnly', vpcId: 'vpc-0a5ca1e000000000001', subnetIds: ['subnet-0a5ca1e00000000001'], securityGroupIds: ['sg-0a5ca1e000000000001'], defaultExecutionRole: roles[0]?.arn ?? spaceRole, defaultSpaceExecutionRole: spaceRole, kmsKeyId: KEY_ID, tags: {} }],
      userProfiles,
      spaces: spaceList,
    },
    vpcEndpoints: [
      { id: 'vpce-0a5ca1e00000000001', vpcId: 'vpc-0a5ca1e000000000001', serviceName: `com.amazonaws.${REGION}.s3`, type: 'Gateway', policy: doc({ Sid: 'JobBuckets', Effect: 'Allow', Principal: '*', Action: '*', Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`, 'arn:aws:s3:::sagemakerheadlessexecution-*', `arn:aws:s3:::team-data-${ACCOUNT}/*`, 'arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*'] }) },
      ...['sagemaker.api', 'sagemaker.runtime', 'sts', 'events', 'ecr.api', 'ecr.dkr', 'kms', 'logs'].map((s, i) => ({ id: `vpce-0a5ca1e0000000010${i}`, vpcId: 'vpc-0a5ca1e000000000001', serviceName: `com.amazonaws.${REGION}.${s}`, type: 'Interface' })),
    ],
    kmsKeys: [{ arn: KEY_ARN, keyId: KEY_ID, aliases: ['alias/notebook-jobs'], keyManager: 'CUSTOMER', policy: doc({ Sid: 'AccountRoot', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }) }],
    s3Buckets: [{ name: BUCKET, region: REGION, ownerAccountId: ACCOUNT, encryption: { algorithm: 'aws:kms', kmsKeyId: KEY_ARN } }],
  };
}

function main(argv) {
  const opt = (n, d) => {
    const i = argv.indexOf(n);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : d;
  };
  const profiles = Number(opt('--profiles', '1000'));
  const spaces = Number(opt('--spaces', '50'));
  const seed = Number(opt('--seed', '1'));
  for (const [name, v] of [['--profiles', profiles], ['--spaces', spaces], ['--seed', seed]]) {
    if (!Number.isInteger(v) || v < 0) {
      process.stderr.write(`gen:account: ${name} must be a whole number, got ${opt(name)}\n`);
      process.exit(2);
    }
  }
  const text = JSON.stringify(generateAccount({ profiles, spaces, seed }));
  const out = opt('--out', undefined);
  if (out) {
    writeFileSync(out, text);
    process.stderr.write(`wrote ${out}: ${profiles} profiles, ${spaces} spaces, ${(text.length / 1e6).toFixed(1)} MB\n`);
  } else process.stdout.write(text);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
