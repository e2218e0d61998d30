/**
 * argv → typed options, with no work done: parseArgv never reads a file or touches the
 * process. One row per behaviour of the command line.
 */
import { describe, expect, it } from 'vitest';
import { parseArgv } from '../../src/cli/parse.js';
import type { ParseOutcome } from '../../src/cli/parse.js';

type Row = readonly [name: string, argv: readonly string[], expected: unknown];

const RUNS: readonly Row[] = [
  [
    'check --example, defaults',
    ['check', '--example'],
    { command: 'check', options: { source: { kind: 'example' }, allProfiles: false, verbose: false, format: 'text' } },
  ],
  [
    'check: a snapshot, a profile, roles, keys, variant and format',
    ['check', '--snapshot', 'acct.json', '--user-profile', 'alice', '--job-role', 'arn:aws:iam::1:role/J', '--variant', 'run-now', '--output-kms-key', 'k', '--format', 'sarif'],
    {
      command: 'check',
      options: { source: { kind: 'snapshot', file: 'acct.json' }, userProfileName: 'alice', jobRoleArn: 'arn:aws:iam::1:role/J', variant: 'run-now', outputKmsKeyArn: 'k', allProfiles: false, verbose: false, format: 'sarif' },
    },
  ],
  [
    'check --all-profiles as markdown',
    ['check', '--snapshot', 'a.json', '--all-profiles', '--format', 'markdown'],
    { command: 'check', options: { source: { kind: 'snapshot', file: 'a.json' }, allProfiles: true, verbose: false, format: 'markdown' } },
  ],
  [
    "check --job-subnet: the job's VpcConfig, not the domain's mode",
    ['check', '--example', '--job-subnet', 'subnet-0a1b', '--job-subnet', 'subnet-0c2d'],
    { command: 'check', options: { source: { kind: 'example' }, jobSubnetIds: ['subnet-0a1b', 'subnet-0c2d'], allProfiles: false, verbose: false, format: 'text' } },
  ],
  [
    'check --job-subnet none: a job without VpcConfig',
    ['check', '--example', '--job-subnet', 'none'],
    { command: 'check', options: { source: { kind: 'example' }, jobSubnetIds: [], allProfiles: false, verbose: false, format: 'text' } },
  ],
  [
    'snapshot live, the organization with a second profile',
    ['snapshot', '--profile', 'member', '--org-profile', 'org-admin', '--out', 'a.json'],
    { command: 'snapshot', options: { out: 'a.json', cliScript: false, profile: 'member', orgProfile: 'org-admin', domains: [], kmsKeys: [], buckets: [] } },
  ],
  [
    'snapshot --from-cli with an organization merged from another folder',
    ['snapshot', '--from-cli', 'dir', '--merge-org', 'org', '--out', 'a.json'],
    { command: 'snapshot', options: { out: 'a.json', cliScript: false, fromCli: 'dir', mergeOrg: 'org', domains: [], kmsKeys: [], buckets: [] } },
  ],
  [
    'snapshot --from-cli',
    ['snapshot', '--from-cli', 'dir', '--out', 'a.json'],
    { command: 'snapshot', options: { out: 'a.json', cliScript: false, fromCli: 'dir', domains: [], kmsKeys: [], buckets: [] } },
  ],
  [
    'snapshot live with repeated keys',
    ['snapshot', '--profile', 'p', '--region', 'eu-west-1', '--out', 'a.json', '--kms-key', 'k1', '--kms-key', 'k2'],
    { command: 'snapshot', options: { out: 'a.json', cliScript: false, profile: 'p', region: 'eu-west-1', domains: [], kmsKeys: ['k1', 'k2'], buckets: [] } },
  ],
  [
    'generate as terraform',
    ['generate', '--account', '111122223333', '--region', 'us-east-1', '--studio-role', 'arn:aws:iam::111122223333:role/S', '--job-role', 'arn:aws:iam::111122223333:role/J', '--format', 'terraform'],
    {
      command: 'generate',
      options: {
        generate: { accountId: '111122223333', region: 'us-east-1', studioRoleArn: 'arn:aws:iam::111122223333:role/S', jobRoleArn: 'arn:aws:iam::111122223333:role/J', vpcOnly: false },
        format: 'terraform',
      },
    },
  ],
  [
    'setup --apply with tags',
    ['setup', '--apply', '--region', 'us-east-1', '--tag', 'cost-center=ml-42'],
    { command: 'setup', options: { setup: { region: 'us-east-1', tags: { 'cost-center': 'ml-42' }, apply: true } } },
  ],
  [
    'validate: one file, defaults',
    ['validate', 'a.json'],
    { command: 'validate', options: { files: ['a.json'], kind: 'auto', format: 'text', reference: false } },
  ],
  [
    'validate: many files, stdin, kind and format',
    ['validate', '--kind', 'trust', '--format', 'sarif', 'a.json', '-', 'dir/'],
    { command: 'validate', options: { files: ['a.json', '-', 'dir/'], kind: 'trust', format: 'sarif', reference: false } },
  ],
  [
    'validate: flags after files',
    ['validate', 'a.json', '--format=json'],
    { command: 'validate', options: { files: ['a.json'], kind: 'auto', format: 'json', reference: false } },
  ],
  [
    'validate --reference needs no file',
    ['validate', '--reference'],
    { command: 'validate', options: { files: [], kind: 'auto', format: 'text', reference: true } },
  ],
  [
    'simulate: one scenario',
    ['simulate', 's.json'],
    { command: 'simulate', options: { paths: ['s.json'], format: 'text' } },
  ],
  [
    'simulate: directories as json',
    ['simulate', '--format', 'json', 'a/', 'b/'],
    { command: 'simulate', options: { paths: ['a/', 'b/'], format: 'json' } },
  ],
  [
    'diagnose: files against a snapshot, a profile and JSON',
    ['diagnose', '--snapshot', 'acct.json', 'a.txt', 'trail.json', '--user-profile', 'bob', '--format', 'json'],
    {
      command: 'diagnose',
      options: {
        source: { kind: 'snapshot', file: 'acct.json' },
        inputs: ['a.txt', 'trail.json'],
        domainId: undefined,
        userProfileName: 'bob',
        spaceName: undefined,
        studioRoleArn: undefined,
        jobRoleArn: undefined,
        variant: undefined,
        outputKmsKeyArn: undefined,
        volumeKmsKeyArn: undefined,
        inputBucket: undefined,
        outputBucket: undefined,
        createTimeResourceTags: undefined,
        format: 'json',
      },
    },
  ],
  [
    'diagnose: --max-input-size caps the snapshot and every error file',
    ['diagnose', '--example', '--max-input-size', '2MiB'],
    {
      command: 'diagnose',
      options: {
        source: { kind: 'example' },
        inputs: [],
        domainId: undefined,
        userProfileName: undefined,
        spaceName: undefined,
        studioRoleArn: undefined,
        jobRoleArn: undefined,
        variant: undefined,
        outputKmsKeyArn: undefined,
        volumeKmsKeyArn: undefined,
        inputBucket: undefined,
        outputBucket: undefined,
        createTimeResourceTags: undefined,
        format: 'text',
        maxInputBytes: 2 * 1024 * 1024,
      },
    },
  ],
  [
    'explain: a scenario file',
    ['explain', 's.json', '--format', 'json'],
    { command: 'explain', options: { mode: 'scenario', scenario: 's.json', format: 'json' } },
  ],
  [
    'explain: a request from flags, repeated flags collected in order',
    [
      'explain',
      '--principal', 'arn:aws:sts::111122223333:assumed-role/Studio/s',
      '--principal-role-arn', 'arn:aws:iam::111122223333:role/service-role/Studio',
      '--action', 'iam:PassRole',
      '--resource', 'arn:aws:iam::111122223333:role/Job',
      '--resource-account', '111122223333',
      '--identity', 'a.json', '--identity', 'b.json',
      '--boundary', 'pb.json',
      '--session', 's.json',
      '--resource-policy', 'trust.json',
      '--scp', 'root.json', '--scp', 'ou.json,guard.json', '--scp', '',
      '--rcp', 'rcp.json',
      '--vpc-endpoint', 'vpce.json',
      '--context', 'iam:PassedToService=sagemaker.amazonaws.com',
      '--context', 'aws:TagKeys=a', '--context', 'aws:tagkeys=b',
      '--context', 'aws:CalledVia=[]',
      '--unknown', 'aws:SourceIp',
    ],
    {
      command: 'explain',
      options: {
        mode: 'request',
        principal: 'arn:aws:sts::111122223333:assumed-role/Studio/s',
        principalRoleArn: 'arn:aws:iam::111122223333:role/service-role/Studio',
        action: 'iam:PassRole',
        resource: 'arn:aws:iam::111122223333:role/Job',
        resourceAccount: '111122223333',
        context: {
          'iam:PassedToService': 'sagemaker.amazonaws.com',
          'aws:TagKeys': ['a', 'b'],
          'aws:CalledVia': [],
        },
        unknownContextKeys: ['aws:SourceIp'],
        identity: ['a.json', 'b.json'],
        boundary: 'pb.json',
        session: ['s.json'],
        resourcePolicy: 'trust.json',
        scp: [['root.json'], ['ou.json', 'guard.json'], []],
        rcp: [['rcp.json']],
        vpcEndpoint: 'vpce.json',
        format: 'text',
      },
    },
  ],
  [
    'explain: a list value in one flag',
    ['explain', '--principal', 'p', '--action', 's3:GetObject', '--resource', '*', '--context', 'aws:TagKeys=[x, y]'],
    {
      command: 'explain',
      options: {
        mode: 'request',
        principal: 'p',
        principalRoleArn: undefined,
        action: 's3:GetObject',
        resource: '*',
        resourceAccount: undefined,
        context: { 'aws:TagKeys': ['x', 'y'] },
        unknownContextKeys: [],
        identity: [],
        boundary: undefined,
        session: [],
        resourcePolicy: undefined,
        scp: undefined,
        rcp: undefined,
        vpcEndpoint: undefined,
        format: 'text',
      },
    },
  ],
];

const USAGE_ERRORS: ReadonlyArray<readonly [name: string, argv: readonly string[], message: RegExp, usage: RegExp]> = [
  ['no command', [], /name a command/, /Usage: nbjob-iam <command>/],
  ['check --job-subnet with a bad id', ['check', '--example', '--job-subnet', 'sg-0a1b'], /--job-subnet expects subnet ids .* got sg-0a1b/, /Usage: nbjob-iam check/],
  ['snapshot --org-profile with --from-cli', ['snapshot', '--from-cli', 'd', '--org-profile', 'p', '--out', 'a.json'], /with --from-cli use --merge-org DIR/, /Usage: nbjob-iam snapshot/],
  ['unknown command, with a suggestion', ['valdate', 'a.json'], /unknown command 'valdate'[\s\S]*validate/, /Commands:/],
  ['validate without files', ['validate'], /at least one policy file/, /Usage: nbjob-iam validate/],
  ['validate with a bad format', ['validate', '--format', 'xml', 'a.json'], /'xml' is invalid.*text, json, sarif/, /Usage: nbjob-iam validate/],
  ['validate with a bad kind', ['validate', '--kind', 'policy', 'a.json'], /'policy' is invalid/, /Usage: nbjob-iam validate/],
  ['validate with an unknown flag', ['validate', '--strict', 'a.json'], /unknown option '--strict'/, /Usage: nbjob-iam validate/],
  ['validate --format without a value', ['validate', 'a.json', '--format'], /argument missing/, /Usage: nbjob-iam validate/],
  ['simulate without files', ['simulate'], /at least one scenario/, /Usage: nbjob-iam simulate/],
  ['check without an account', ['check'], /--snapshot FILE/, /Usage: nbjob-iam check/],
  ['check with both a snapshot and the example', ['check', '--snapshot', 'a.json', '--example'], /not both/, /Usage: nbjob-iam check/],
  ['check with a profile and a space', ['check', '--example', '--user-profile', 'a', '--space', 'b'], /not both/, /Usage: nbjob-iam check/],
  ['check with a bad variant', ['check', '--example', '--variant', 'weekly'], /'weekly' is invalid/, /Usage: nbjob-iam check/],
  ['diagnose without an account', ['diagnose', 'a.txt'], /name the account/, /Usage: nbjob-iam diagnose/],
  ['diagnose a snapshot without input', ['diagnose', '--snapshot', 'a.json'], /at least one file/, /Usage: nbjob-iam diagnose/],
  ['diagnose with stdin twice', ['diagnose', '--example', '-', '-'], /only once/, /Usage: nbjob-iam diagnose/],
  ['diagnose --format sarif', ['diagnose', '--example', '--format', 'sarif'], /'sarif' is invalid/, /Usage: nbjob-iam diagnose/],
  ['snapshot without --out', ['snapshot', '--from-cli', 'd'], /--out FILE/, /Usage: nbjob-iam snapshot/],
  ['generate without roles', ['generate', '--account', '1', '--region', 'r'], /missing --studio-role, --job-role/, /Usage: nbjob-iam generate/],
  ['setup with --plan and --apply', ['setup', '--plan', '--apply'], /not both/, /Usage: nbjob-iam setup/],
  ['simulate from stdin', ['simulate', '-'], /not standard input/, /Usage: nbjob-iam simulate/],
  ['simulate --format sarif', ['simulate', '--format', 'sarif', 's.json'], /'sarif' is invalid/, /Usage: nbjob-iam simulate/],
  ['explain with nothing', ['explain'], /missing --principal, --action, --resource/, /Usage: nbjob-iam explain/],
  ['explain without --resource', ['explain', '--principal', 'p', '--action', 'a:b'], /missing --resource/, /Usage: nbjob-iam explain/],
  ['explain with a file and flags', ['explain', 's.json', '--action', 'a:b'], /either a scenario file or request flags/, /Usage: nbjob-iam explain/],
  ['explain with two files', ['explain', 'a.json', 'b.json'], /too many arguments|one scenario file/, /Usage: nbjob-iam explain/],
  ['explain with a bad --context', ['explain', '--principal', 'p', '--action', 'a:b', '--resource', '*', '--context', 'novalue'], /key=value/, /Usage: nbjob-iam explain/],
];

describe('parseArgv maps argv to typed options without doing any work', () => {
  it.each(RUNS)('%s', (_name, argv, expected) => {
    const outcome = parseArgv(argv, '1.2.3');
    expect(outcome).toEqual({ kind: 'run', parsed: expected });
  });
});

describe('parseArgv reports usage errors with the command usage', () => {
  it.each(USAGE_ERRORS)('%s', (_name, argv, message, usage) => {
    const outcome: ParseOutcome = parseArgv(argv, '1.2.3');
    expect(outcome.kind).toBe('usage-error');
    if (outcome.kind !== 'usage-error') return;
    expect(outcome.message).toMatch(message);
    expect(outcome.usage).toMatch(usage);
    expect(outcome.message).not.toMatch(/^error:/);
  });
});

describe('parseArgv prints help and version', () => {
  it('--version prints the version given', () => {
    expect(parseArgv(['--version'], '1.2.3')).toEqual({ kind: 'print', text: '1.2.3\n' });
  });
  it.each(['validate', 'simulate', 'explain', 'diagnose'])('%s --help shows usage, every flag and examples within 80 columns', (command) => {
    const outcome = parseArgv([command, '--help'], '1.2.3');
    expect(outcome.kind).toBe('print');
    if (outcome.kind !== 'print') return;
    expect(outcome.text).toContain(`Usage: nbjob-iam ${command}`);
    expect(outcome.text).toContain('Examples:');
    expect(outcome.text).toContain('--format');
    for (const line of outcome.text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });
  it('the program help lists exactly the commands that exist', () => {
    const outcome = parseArgv(['--help'], '1.2.3');
    expect(outcome.kind).toBe('print');
    if (outcome.kind !== 'print') return;
    for (const c of ['check', 'diagnose', 'generate', 'setup', 'snapshot', 'validate', 'simulate', 'explain']) expect(outcome.text).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });
});
