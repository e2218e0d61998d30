/**
 * The command table: every command's summary, usage, examples and per-flag help, and how
 * its arguments become typed options. Declarative on purpose: help text, the argv test and
 * the README all read from here. Each command's code is imported only when it runs.
 */
import { parseByteSize } from '../input/limits.js';
import { POLICY_KINDS } from '../policy/model.js';
import type { PolicyKind } from '../policy/model.js';
import { UsageError } from './errors.js';
import { liveFlagProblems } from './live-flags.js';
import type { CommandOutput, RunContext } from './context.js';
import type {
  CheckFormatName,
  CheckOptions,
  CommandName,
  DiagnoseCommandOptions,
  DiagnoseFormatName,
  GenerateCommandOptions,
  GenerateSetup,
  SetupCommandOptions,
  SnapshotCommandOptions,
  ContextValues,
  DecisionFormat,
  ExplainOptions,
  FindingsFormat,
  ParsedCommand,
  SimulateOptions,
  ValidateOptions,
} from './options.js';
import { quoteValue } from '../text/sanitize.js';

export interface FlagSpec {
  /** Commander flag syntax, e.g. `--format <format>`. */
  readonly flags: string;
  readonly help: string;
  readonly choices?: readonly string[];
  readonly defaultValue?: string | boolean;
  /** May be given more than once; the values are collected in order. */
  readonly repeatable?: boolean;
}

/** The raw values commander hands over: positional arguments and flag values. */
export interface RawArgs {
  readonly args: readonly string[];
  readonly flags: Readonly<Record<string, unknown>>;
}

export interface CommandModule<O> {
  execute(options: O, ctx: RunContext): Promise<CommandOutput>;
}

type OptionsOf<N extends CommandName> = Extract<ParsedCommand, { command: N }>['options'];

export interface CommandSpec<N extends CommandName = CommandName> {
  readonly name: N;
  readonly summary: string;
  /** Commander argument syntax, e.g. `[files...]`. */
  readonly argument: string;
  readonly argumentHelp: string;
  /** The usage line after `nbjob-iam NAME`. */
  readonly usage: string;
  readonly description: string;
  readonly examples: ReadonlyArray<{ readonly command: string; readonly what: string }>;
  readonly flags: readonly FlagSpec[];
  /** Turns raw arguments into typed options; throws UsageError. Does no I/O. */
  readonly toOptions: (raw: RawArgs) => OptionsOf<N>;
  readonly load: () => Promise<CommandModule<OptionsOf<N>>>;
}

function str(flags: RawArgs['flags'], key: string): string | undefined {
  const v = flags[key];
  return typeof v === 'string' ? v : undefined;
}
function list(flags: RawArgs['flags'], key: string): string[] {
  const v = flags[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Every command that reads files takes this flag (docs/input.md has the default caps). */
const MAX_INPUT_FLAG: FlagSpec = {
  flags: '--max-input-size <size>',
  help: 'refuse input files larger than this, e.g. 200MB (default: 1 MiB per policy, 8 MiB per scenario, 64 MiB per snapshot or AWS CLI file)',
};

/** `{ maxInputBytes }` when --max-input-size was given (and is a size), else nothing. */
function maxInput(flags: RawArgs['flags'], command: string): { maxInputBytes?: number } {
  const raw = str(flags, 'maxInputSize');
  if (raw === undefined) return {};
  const parsed = parseByteSize(raw);
  if (!parsed.ok) throw new UsageError(`--max-input-size: ${parsed.message}`, command);
  return { maxInputBytes: parsed.bytes };
}

/** `--job-subnet none` is a job without VpcConfig; no flag: the default of the domain. */
function jobSubnets(values: readonly string[]): { jobSubnetIds?: readonly string[] } {
  if (!values.length) return {};
  if (values.includes('none')) {
    if (values.length > 1) throw new UsageError("--job-subnet none means no VpcConfig: it does not go with subnet ids", 'check');
    return { jobSubnetIds: [] };
  }
  const bad = values.filter((v) => !/^subnet-[0-9a-f]+$/.test(v));
  if (bad.length) throw new UsageError(`--job-subnet expects subnet ids (subnet-0123abcd) or none, got ${bad.join(', ')}`, 'check');
  return { jobSubnetIds: values };
}

/** What a folder argument means, for the help of validate and simulate (docs/input.md "Folders"). */
const FOLDER_HELP =
  'A folder means every *.json below it (hidden folders and node_modules not walked); a symbolic link to a regular file is read. ' +
  'An entry that cannot be read (a FIFO, socket or device, a dangling or looping link, a link to a folder) is named on stderr ' +
  'and the exit status is 2: the input was incomplete.';

const FINDINGS_FORMATS: readonly FindingsFormat[] = ['text', 'json', 'sarif'];
const DECISION_FORMATS: readonly DecisionFormat[] = ['text', 'json'];

const validate: CommandSpec<'validate'> = {
  name: 'validate',
  summary: 'check policy files for the mistakes IAM rejects or silently accepts',
  argument: '[files...]',
  argumentHelp: 'policy files, directories (every *.json below), or - for standard input',
  usage: '[--kind KIND] [--format text|json|sarif] FILE...|-\n       nbjob-iam validate --reference',
  description:
    'Reads each policy with positions, reports grammar errors and rule findings with file, line and column. ' +
    'With --kind auto the kind comes from the file name (*trust*, *scp*, *rcp*, *endpoint*/*vpce*, ' +
    '*key-policy*, *bucket-policy*, *boundary*) or else the content (a Principal with sts:AssumeRole* is a ' +
    'trust policy, another Principal a resource policy, none an identity policy). ' +
    FOLDER_HELP,
  examples: [
    { command: 'nbjob-iam validate reference/', what: 'every *.json below reference/' },
    { command: 'nbjob-iam validate --kind trust role-trust.json', what: 'one trust policy' },
    { command: 'cat policy.json | nbjob-iam validate -', what: 'standard input' },
    { command: 'nbjob-iam validate --format sarif policies/ > iam.sarif', what: 'for code scanning' },
    { command: 'nbjob-iam validate --reference', what: 'the bundled AWS reference policies' },
  ],
  flags: [
    {
      flags: '--kind <kind>',
      help: 'the kind of every file, or auto to infer it per file',
      choices: ['auto', ...POLICY_KINDS],
      defaultValue: 'auto',
    },
    { flags: '--format <format>', help: 'output format', choices: FINDINGS_FORMATS, defaultValue: 'text' },
    { flags: '--reference', help: 'validate the bundled reference policies with their kinds', defaultValue: false },
    MAX_INPUT_FLAG,
  ],
  toOptions({ args, flags }): ValidateOptions {
    const reference = flags['reference'] === true;
    if (args.length === 0 && !reference) throw new UsageError('name at least one policy file, a directory, or - for standard input', 'validate');
    return {
      files: [...args],
      kind: (str(flags, 'kind') ?? 'auto') as PolicyKind | 'auto',
      format: (str(flags, 'format') ?? 'text') as FindingsFormat,
      reference,
      ...maxInput(flags, 'validate'),
    };
  },
  load: () => import('./commands/validate.js'),
};

const simulate: CommandSpec<'simulate'> = {
  name: 'simulate',
  summary: 'decide scenario files and check their expectations',
  argument: '[paths...]',
  argumentHelp: 'scenario files or directories (every *.json below)',
  usage: 'SCENARIO.json|DIR... [--format text|json]',
  description:
    'Evaluates each scenario (shared format, see docs) and compares the decision with its "expect". ' +
    'A file that is not valid JSON or not a valid scenario gives an entry with "error" and never stops the others. ' +
    FOLDER_HELP,
  examples: [
    { command: 'nbjob-iam simulate scenario.json', what: 'one scenario, explained' },
    { command: 'nbjob-iam simulate --format json scenarios/', what: 'every scenario below a folder, as JSON' },
  ],
  flags: [{ flags: '--format <format>', help: 'output format', choices: DECISION_FORMATS, defaultValue: 'text' }, MAX_INPUT_FLAG],
  toOptions({ args, flags }): SimulateOptions {
    if (args.length === 0) throw new UsageError('name at least one scenario file or directory', 'simulate');
    if (args.includes('-')) throw new UsageError('simulate reads files, not standard input', 'simulate');
    return { paths: [...args], format: (str(flags, 'format') ?? 'text') as DecisionFormat, ...maxInput(flags, 'simulate') };
  },
  load: () => import('./commands/simulate.js'),
};

/** `key=value` pairs; a key given twice is multi-valued; `key=[a,b]` is a list. Keys are case-insensitive. */
export function parseContextPairs(pairs: readonly string[]): ContextValues {
  const entries: Array<{ key: string; values: string[]; isList: boolean }> = [];
  // By lower-cased key: one lookup per pair (a linear search made 5,000 pairs take seconds).
  const byKey = new Map<string, { key: string; values: string[]; isList: boolean }>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--context takes key=value, got ${quoteValue(pair)}`, 'explain');
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1);
    const isList = raw.startsWith('[') && raw.endsWith(']');
    const inner = raw.slice(1, -1).trim();
    const values = isList ? (inner === '' ? [] : inner.split(',').map((v) => v.trim())) : [raw];
    const existing = byKey.get(key.toLowerCase());
    if (existing) {
      for (const v of values) existing.values.push(v);
      existing.isList = true;
    } else {
      const entry = { key, values, isList };
      entries.push(entry);
      byKey.set(key.toLowerCase(), entry);
    }
  }
  // A null-prototype object: a key such as __proto__ is only ever data.
  const result = Object.create(null) as Record<string, string | readonly string[]>;
  for (const e of entries) result[e.key] = e.isList ? e.values : (e.values[0] ?? '');
  return result;
}

/** `--scp a.json,b.json` is one level with two policies; `--scp ""` a level with none. */
function levels(values: readonly string[]): string[][] | undefined {
  if (values.length === 0) return undefined;
  return values.map((v) =>
    v
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== ''),
  );
}

const REQUEST_FLAGS = [
  'principal',
  'principalRoleArn',
  'action',
  'resource',
  'resourceAccount',
  'context',
  'unknown',
  'identity',
  'boundary',
  'session',
  'resourcePolicy',
  'scp',
  'rcp',
  'vpcEndpoint',
] as const;

const explain: CommandSpec<'explain'> = {
  name: 'explain',
  summary: 'decide one request and show the statements that decided it',
  argument: '[scenario]',
  argumentHelp: 'a scenario file (instead of the request flags)',
  usage:
    'SCENARIO.json [--format text|json]\n' +
    '       nbjob-iam explain --principal ARN --action SERVICE:ACTION --resource ARN\n' +
    '         [--identity FILE]... [--boundary FILE] [--session FILE]...\n' +
    '         [--resource-policy FILE] [--scp FILE[,FILE]]... [--rcp FILE[,FILE]]...\n' +
    '         [--vpc-endpoint FILE] [--context KEY=VALUE]... [--unknown KEY]...',
  description:
    'Builds one scenario from the flags (or reads it from a file) and prints the decision, the deciding ' +
    'statements and, for a denial, the layer that denied it. Each --scp/--rcp is one level of the ' +
    'organization, root first, account last; commas separate the policies of a level and "" is a level ' +
    'with none. A --context key given twice is multi-valued; key=[a,b] is a list. ' +
    'Policy files with error-level findings are reported, not evaluated.',
  examples: [
    {
      command:
        'nbjob-iam explain --principal arn:aws:sts::111122223333:assumed-role/StudioRole/s --action iam:PassRole --resource arn:aws:iam::111122223333:role/JobRole --identity studio-role.json --context iam:PassedToService=sagemaker.amazonaws.com',
      what: 'may the Studio role pass the job role to SageMaker?',
    },
    { command: 'nbjob-iam explain --scp root.json --scp ou.json,guardrails.json ...', what: 'two SCP levels' },
    { command: 'nbjob-iam explain scenario.json', what: 'a scenario file' },
  ],
  flags: [
    { flags: '--principal <arn>', help: 'who signs the request: an ARN, a service principal, or anonymous' },
    { flags: '--principal-role-arn <arn>', help: "for a role session: the role's full ARN (with its path)" },
    { flags: '--action <action>', help: 'the action, e.g. iam:PassRole' },
    { flags: '--resource <arn>', help: 'the resource ARN, or * for actions with no resource type' },
    { flags: '--resource-account <id>', help: "the resource's account when the ARN has none" },
    { flags: '--context <key=value>', help: 'a request context key (repeat for more)', repeatable: true },
    { flags: '--unknown <key>', help: 'a context key whose value is not known (repeat for more)', repeatable: true },
    { flags: '--identity <file>', help: "an identity policy of the principal (repeat for more)", repeatable: true },
    { flags: '--boundary <file>', help: 'the permissions boundary' },
    { flags: '--session <file>', help: 'a session policy (repeat for more)', repeatable: true },
    { flags: '--resource-policy <file>', help: "the resource's policy (bucket, key, trust policy, ...)" },
    { flags: '--scp <files>', help: 'one SCP level: comma-separated files (repeat per level, root first)', repeatable: true },
    { flags: '--rcp <files>', help: 'one RCP level: comma-separated files (repeat per level, root first)', repeatable: true },
    { flags: '--vpc-endpoint <file>', help: 'the VPC endpoint policy the request went through' },
    { flags: '--format <format>', help: 'output format', choices: DECISION_FORMATS, defaultValue: 'text' },
    MAX_INPUT_FLAG,
  ],
  toOptions({ args, flags }): ExplainOptions {
    const format = (str(flags, 'format') ?? 'text') as DecisionFormat;
    const given = REQUEST_FLAGS.filter((k) => {
      const v = flags[k];
      return Array.isArray(v) ? v.length > 0 : v !== undefined;
    });
    const scenario = args[0];
    if (args.length > 1) throw new UsageError(`explain takes one scenario file, got ${args.length}`, 'explain');
    if (scenario !== undefined) {
      if (given.length > 0) {
        throw new UsageError('give either a scenario file or request flags (--principal ...), not both', 'explain');
      }
      return { mode: 'scenario', scenario, format, ...maxInput(flags, 'explain') };
    }
    const missing = (['principal', 'action', 'resource'] as const).filter((k) => str(flags, k) === undefined);
    if (missing.length > 0) {
      throw new UsageError(
        `missing ${missing.map((m) => `--${m}`).join(', ')} (or give a scenario file)`,
        'explain',
      );
    }
    return {
      mode: 'request',
      principal: str(flags, 'principal') ?? '',
      principalRoleArn: str(flags, 'principalRoleArn'),
      action: str(flags, 'action') ?? '',
      resource: str(flags, 'resource') ?? '',
      resourceAccount: str(flags, 'resourceAccount'),
      context: parseContextPairs(list(flags, 'context')),
      unknownContextKeys: list(flags, 'unknown'),
      identity: list(flags, 'identity'),
      boundary: str(flags, 'boundary'),
      session: list(flags, 'session'),
      resourcePolicy: str(flags, 'resourcePolicy'),
      scp: levels(list(flags, 'scp')),
      rcp: levels(list(flags, 'rcp')),
      vpcEndpoint: str(flags, 'vpcEndpoint'),
      format,
      ...maxInput(flags, 'explain'),
    };
  },
  load: () => import('./commands/explain.js'),
};

const CHECK_FORMATS: readonly CheckFormatName[] = ['text', 'json', 'markdown', 'sarif', 'html'];
const VARIANTS = ['run-now', 'schedule', 'local'] as const;

const check: CommandSpec<'check'> = {
  name: 'check',
  summary: 'will notebook jobs work in this account? every step decided, every failure fixed',
  argument: '',
  argumentHelp: '',
  usage:
    '--snapshot FILE | --example\n' +
    '         [--domain ID] [--user-profile NAME | --space NAME | --all-profiles]\n' +
    '         [--studio-role ARN] [--job-role ARN] [--variant run-now|schedule|local]\n' +
    '         [--output-kms-key ARN] [--volume-kms-key ARN]\n' +
    '         [--format text|json|markdown|sarif|html]',
  description:
    'Builds every request a SageMaker Studio notebook job makes (opening the form, submitting, scheduling, ' +
    'every run, managing) from the account snapshot and decides each one across identity policies, ' +
    'boundaries, SCPs, RCPs, trust, key, bucket and endpoint policies. For each failure it names the ' +
    'deciding statement and the smallest proven fix, and tells failures at submit time from failures that ' +
    'only show when a scheduled run starts.',
  examples: [
    { command: 'nbjob-iam check --example', what: 'the bundled example account, with its five mistakes' },
    { command: 'nbjob-iam check --snapshot acct.json --user-profile alice --job-role arn:aws:iam::111122223333:role/JobRole', what: 'one profile' },
    { command: 'nbjob-iam check --snapshot acct.json --all-profiles --format markdown', what: 'every profile and space, for a pull request' },
    { command: 'nbjob-iam check --snapshot acct.json --all-profiles --baseline known.json --format sarif', what: 'CI: only what is new' },
  ],
  flags: [
    { flags: '--snapshot <file>', help: 'the account snapshot (nbjob-iam snapshot writes it)' },
    { flags: '--example', help: 'check the bundled example account (examples/)', defaultValue: false },
    { flags: '--domain <id>', help: 'the SageMaker domain (default: the only or first one)' },
    { flags: '--user-profile <name>', help: 'the user profile that schedules the job' },
    { flags: '--space <name>', help: 'a shared space instead of a user profile' },
    { flags: '--all-profiles', help: 'every user profile and space, with a summary table', defaultValue: false },
    { flags: '--studio-role <arn>', help: "the Studio execution role (default: the space's, the profile's, or the domain's)" },
    { flags: '--job-role <arn>', help: 'the notebook job role (default: the Studio role, as Studio does)' },
    { flags: '--variant <variant>', help: 'run now, on a schedule, or from local JupyterLab', choices: VARIANTS },
    { flags: '--output-kms-key <arn>', help: 'the KMS key that encrypts job outputs' },
    { flags: '--volume-kms-key <arn>', help: 'the KMS key that encrypts the job volume' },
    { flags: '--input-bucket <name>', help: 'the input bucket (default: the default job bucket of the account and region)' },
    { flags: '--output-bucket <name>', help: 'the output bucket (default: the input bucket)' },
    {
      flags: '--job-subnet <id>',
      help: "a subnet of the job's VpcConfig (repeat for more; 'none': no VpcConfig). Default: the domain's subnets when VpcOnly, none otherwise",
      repeatable: true,
    },
    {
      flags: '--create-time-resource-tags <answer>',
      help: 'open question: do create calls see their request tags as resource tags? (default: absent)',
      choices: ['absent', 'fromRequestTags'],
    },
    { flags: '--baseline <file>', help: 'an earlier --format json report: show only what is new (docs/ci.md)' },
    { flags: '--suppressions <file>', help: 'accepted failures, each with its reason (docs/ci.md)' },
    { flags: '--verbose', help: 'list passing steps too', defaultValue: false },
    { flags: '--format <format>', help: 'output format', choices: CHECK_FORMATS, defaultValue: 'text' },
    MAX_INPUT_FLAG,
  ],
  toOptions({ flags }): CheckOptions {
    const snapshot = str(flags, 'snapshot');
    const example = flags['example'] === true;
    if (snapshot && example) throw new UsageError('give either --snapshot FILE or --example, not both', 'check');
    if (!snapshot && !example) throw new UsageError('name the account: --snapshot FILE (see nbjob-iam snapshot), or --example', 'check');
    const allProfiles = flags['allProfiles'] === true;
    const userProfileName = str(flags, 'userProfile');
    const spaceName = str(flags, 'space');
    if (userProfileName && spaceName) throw new UsageError('give either --user-profile or --space, not both', 'check');
    if (allProfiles && (userProfileName || spaceName)) throw new UsageError('--all-profiles checks every profile and space; drop --user-profile/--space', 'check');
    return {
      source: snapshot ? { kind: 'snapshot', file: snapshot } : { kind: 'example' },
      domainId: str(flags, 'domain'),
      userProfileName,
      spaceName,
      studioRoleArn: str(flags, 'studioRole'),
      jobRoleArn: str(flags, 'jobRole'),
      variant: str(flags, 'variant') as CheckOptions['variant'],
      outputKmsKeyArn: str(flags, 'outputKmsKey'),
      volumeKmsKeyArn: str(flags, 'volumeKmsKey'),
      inputBucket: str(flags, 'inputBucket'),
      outputBucket: str(flags, 'outputBucket'),
      ...jobSubnets(list(flags, 'jobSubnet')),
      allProfiles,
      createTimeResourceTags: str(flags, 'createTimeResourceTags') as CheckOptions['createTimeResourceTags'],
      verbose: flags['verbose'] === true,
      baseline: str(flags, 'baseline'),
      suppressions: str(flags, 'suppressions'),
      format: (str(flags, 'format') ?? 'text') as CheckFormatName,
      ...maxInput(flags, 'check'),
    };
  },
  load: () => import('./commands/check.js'),
};

const snapshot: CommandSpec<'snapshot'> = {
  name: 'snapshot',
  summary: 'read an account (read-only) into the snapshot that check reads',
  argument: '',
  argumentHelp: '',
  usage:
    '--out FILE [--profile P] [--org-profile P]\n' +
    '         [--merge-org PATH] [--region R] [--domain ID]...\n' +
    '         [--kms-key ARN]... [--bucket NAME]...\n' +
    '       nbjob-iam snapshot --from-cli DIR --out FILE [--merge-org PATH]\n' +
    '         [--region R]\n' +
    '       nbjob-iam snapshot --cli-script [--region R] [--domain ID]...\n' +
    '         [--kms-key ARN]... [--bucket NAME]... > save.sh',
  description:
    'Live: reads the account with the AWS SDK (default credential chain, --profile for a named or SSO profile) ' +
    'using only Get, List and Describe calls; a denied read is reported with the permission it needs and the ' +
    'snapshot keeps what could be read. A member account cannot read the SCPs and RCPs that govern it: --org-profile reads ' +
    'the organization with a second profile (the management account or a delegated administrator), --merge-org merges an ' +
    'organization read separately (a folder of saved Organizations CLI outputs, or a snapshot file); without either, check ' +
    'calls every step an SCP could deny undecided. --from-cli: builds it from AWS CLI outputs saved in a folder ' +
    '(docs/snapshot-from-cli.md lists the commands and file names). --cli-script: prints a bash script that ' +
    'saves exactly those files for every domain (or those named), their user profiles, spaces and tags, ' +
    'their KMS keys and buckets; run it in AWS CloudShell, then --from-cli on its folder. ' +
    'Credentials are never printed or stored.',
  examples: [
    { command: 'nbjob-iam snapshot --profile ml-admin --region us-east-1 --out acct.json', what: 'the live account' },
    { command: 'nbjob-iam snapshot --from-cli examples/aws-cli --out /tmp/acct.json', what: 'saved AWS CLI output' },
    { command: 'nbjob-iam snapshot --cli-script --region us-east-1 > save.sh', what: 'a script to run in CloudShell: bash save.sh acct-cli' },
  ],
  flags: [
    { flags: '--out <file>', help: 'where to write the snapshot' },
    { flags: '--from-cli <dir>', help: 'a folder of saved AWS CLI outputs instead of the live account' },
    { flags: '--cli-script', help: 'print a bash script that saves what --from-cli reads', defaultValue: false },
    { flags: '--profile <name>', help: 'AWS profile (live)' },
    { flags: '--org-profile <name>', help: 'AWS profile of the management account or a delegated administrator, to read the organization with (live)' },
    { flags: '--merge-org <path>', help: 'merge the organization from a folder of saved Organizations CLI outputs or a snapshot file' },
    { flags: '--region <region>', help: 'the Studio region' },
    { flags: '--domain <id>', help: 'only this SageMaker domain (repeat for more; live, script)', repeatable: true },
    { flags: '--kms-key <arn>', help: 'also read this KMS key (repeat for more; live, script)', repeatable: true },
    { flags: '--bucket <name>', help: 'also read this bucket (repeat for more; live, script)', repeatable: true },
    MAX_INPUT_FLAG,
  ],
  toOptions({ flags }): SnapshotCommandOptions {
    const out = str(flags, 'out');
    const cliScript = flags['cliScript'] === true;
    const fromCli = str(flags, 'fromCli');
    if (cliScript && (out || fromCli || str(flags, 'profile'))) {
      throw new UsageError('--cli-script prints a script to stdout; it does not go with --out, --from-cli or --profile', 'snapshot');
    }
    if (cliScript) return { cliScript, region: str(flags, 'region'), domains: list(flags, 'domain'), kmsKeys: list(flags, 'kmsKey'), buckets: list(flags, 'bucket') };
    if (!out) throw new UsageError('name the snapshot file: --out FILE', 'snapshot');
    if (fromCli && str(flags, 'profile')) throw new UsageError('--profile reads the live account; it does not go with --from-cli', 'snapshot');
    const problems = liveFlagProblems({ region: str(flags, 'region') });
    for (const d of list(flags, 'domain')) problems.push(...liveFlagProblems({ domainId: d }));
    if (problems.length) throw new UsageError(problems.join('\n'), 'snapshot');
    if (fromCli && str(flags, 'orgProfile')) throw new UsageError('--org-profile reads the live organization; with --from-cli use --merge-org DIR', 'snapshot');
    if (str(flags, 'orgProfile') && str(flags, 'mergeOrg')) throw new UsageError('--org-profile and --merge-org both give the organization: use one', 'snapshot');
    return {
      out,
      cliScript,
      fromCli,
      orgProfile: str(flags, 'orgProfile'),
      mergeOrg: str(flags, 'mergeOrg'),
      profile: str(flags, 'profile'),
      region: str(flags, 'region'),
      domains: list(flags, 'domain'),
      kmsKeys: list(flags, 'kmsKey'),
      buckets: list(flags, 'bucket'),
      ...maxInput(flags, 'snapshot'),
    };
  },
  load: () => import('./commands/snapshot.js'),
};

const SETUP_FLAGS: readonly FlagSpec[] = [
  { flags: '--account <id>', help: 'the account id' },
  { flags: '--region <region>', help: 'the Studio region' },
  { flags: '--studio-role <arn>', help: 'the Studio execution role' },
  { flags: '--job-role <arn>', help: 'the notebook job role (may be the Studio role)' },
  { flags: '--variant <variant>', help: 'run-now, schedule or local', choices: VARIANTS },
  { flags: '--output-kms-key <arn>', help: 'the KMS key that encrypts job outputs' },
  { flags: '--volume-kms-key <arn>', help: 'the KMS key that encrypts the job volume' },
  { flags: '--vpc-only', help: 'the domain is VpcOnly (S3 through --vpc-endpoint)', defaultValue: false },
  { flags: '--vpc-endpoint <id>', help: 'the S3 gateway endpoint of the domain VPC' },
  { flags: '--input-bucket <name>', help: 'the input bucket (default: the default job bucket of the account and region)' },
  { flags: '--output-bucket <name>', help: 'the output bucket (default: the input bucket)' },
  { flags: '--domain <id>', help: 'the SageMaker domain' },
];

function accountRegion(flags: RawArgs['flags'], command: string): { accountId: string; region: string } {
  const accountId = str(flags, 'account');
  const region = str(flags, 'region');
  const missing = [!accountId && '--account', !region && '--region'].filter(Boolean);
  if (missing.length) throw new UsageError(`missing ${missing.join(', ')}`, command);
  return { accountId: accountId ?? '', region: region ?? '' };
}

const generate: CommandSpec<'generate'> = {
  name: 'generate',
  summary: 'least-privilege policies for both roles, proven to pass check',
  argument: '',
  argumentHelp: '',
  usage:
    '--account ID --region R\n' +
    '         --studio-role ARN --job-role ARN [--variant run-now|schedule|local]\n' +
    '         [--output-kms-key ARN] [--volume-kms-key ARN]\n' +
    '         [--vpc-only --vpc-endpoint ID] [--input-bucket B --output-bucket B]\n' +
    '         [--format json|cloudformation|terraform|cli]',
  description:
    'Derives, from every request of the notebook-job flow, the job role trust statements, the inline ' +
    'policies of the Studio and job roles, and the statements the key and endpoint policies need; ARNs are ' +
    'scoped to the account, region, buckets and roles given, and iam:PassRole keeps iam:PassedToService. ' +
    'Before printing, the set is checked by the engine against every step. Policies owned by others (trust, ' +
    'key, endpoint) are given as statements to add, never as replacements.',
  examples: [
    {
      command:
        'nbjob-iam generate --account 111122223333 --region us-east-1 --studio-role arn:aws:iam::111122223333:role/Studio --job-role arn:aws:iam::111122223333:role/Job --format terraform',
      what: 'Terraform for both roles',
    },
  ],
  flags: [...SETUP_FLAGS, { flags: '--format <format>', help: 'output format', choices: ['json', 'cloudformation', 'terraform', 'cli'], defaultValue: 'json' }],
  toOptions({ flags }): GenerateCommandOptions {
    const { accountId, region } = accountRegion(flags, 'generate');
    const studioRoleArn = str(flags, 'studioRole');
    const jobRoleArn = str(flags, 'jobRole');
    const missing = [!studioRoleArn && '--studio-role', !jobRoleArn && '--job-role'].filter(Boolean);
    if (missing.length) throw new UsageError(`missing ${missing.join(', ')}`, 'generate');
    return {
      generate: {
        accountId,
        region,
        studioRoleArn: studioRoleArn ?? '',
        jobRoleArn: jobRoleArn ?? '',
        variant: str(flags, 'variant') as GenerateSetup['variant'],
        outputKmsKeyArn: str(flags, 'outputKmsKey'),
        volumeKmsKeyArn: str(flags, 'volumeKmsKey'),
        vpcOnly: flags['vpcOnly'] === true,
        vpcEndpointId: str(flags, 'vpcEndpoint'),
        inputBucket: str(flags, 'inputBucket'),
        outputBucket: str(flags, 'outputBucket'),
        domainId: str(flags, 'domain'),
      },
      format: (str(flags, 'format') ?? 'json') as GenerateCommandOptions['format'],
    };
  },
  load: () => import('./commands/generate.js'),
};

const setup: CommandSpec<'setup'> = {
  name: 'setup',
  summary: 'plan (and, with --apply, make) the changes notebook jobs need, merging',
  argument: '',
  argumentHelp: '',
  usage: '[--plan | --apply] [--profile P] [--account ID]\n' + '         [--region R] [--studio-role ARN] [--job-role ARN] ...',
  description:
    'Reads the live account, computes the smallest proven changes (the fixes check would print), and shows ' +
    'them as a diff. Statements already in a trust policy or a role policy are kept; only what is missing is ' +
    'added, in one inline policy per role (nbjob-iam-notebook-jobs). SCPs, RCPs, key, endpoint and bucket ' +
    'policies are never changed: the plan says what their owners must add. Only --apply writes, and a second ' +
    '--apply changes nothing.',
  examples: [
    { command: 'nbjob-iam setup --profile ml-admin --region us-east-1 --job-role arn:aws:iam::111122223333:role/Job', what: 'the plan' },
    { command: 'nbjob-iam setup --apply --profile ml-admin --region us-east-1 --tag cost-center=ml-42', what: 'make the changes' },
  ],
  flags: [
    ...SETUP_FLAGS,
    { flags: '--profile <name>', help: 'AWS profile' },
    { flags: '--user-profile <name>', help: 'the Studio user profile' },
    { flags: '--space <name>', help: 'a shared space instead of a user profile' },
    { flags: '--tag <key=value>', help: 'a value for a tag an SCP requires (repeat for more)', repeatable: true },
    { flags: '--plan', help: 'only show the changes (the default)', defaultValue: false },
    { flags: '--apply', help: 'make the changes', defaultValue: false },
  ],
  toOptions({ flags }): SetupCommandOptions {
    if (flags['plan'] === true && flags['apply'] === true) throw new UsageError('give --plan or --apply, not both', 'setup');
    const problems = liveFlagProblems({
      region: str(flags, 'region'),
      accountId: str(flags, 'account'),
      studioRole: str(flags, 'studioRole'),
      jobRole: str(flags, 'jobRole'),
      outputKmsKey: str(flags, 'outputKmsKey'),
      volumeKmsKey: str(flags, 'volumeKmsKey'),
      vpcEndpoint: str(flags, 'vpcEndpoint'),
      domainId: str(flags, 'domain'),
    });
    if (problems.length) throw new UsageError(problems.join('\n'), 'setup');
    const tags: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const pair of list(flags, 'tag')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--tag takes key=value, got ${quoteValue(pair)}`, 'setup');
      tags[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return {
      setup: {
        profile: str(flags, 'profile'),
        region: str(flags, 'region'),
        accountId: str(flags, 'account'),
        domainId: str(flags, 'domain'),
        userProfileName: str(flags, 'userProfile'),
        spaceName: str(flags, 'space'),
        studioRoleArn: str(flags, 'studioRole'),
        jobRoleArn: str(flags, 'jobRole'),
        variant: str(flags, 'variant') as SetupCommandOptions['setup']['variant'],
        outputKmsKeyArn: str(flags, 'outputKmsKey'),
        volumeKmsKeyArn: str(flags, 'volumeKmsKey'),
        ...(flags['vpcOnly'] === true ? { vpcOnly: true } : {}),
        vpcEndpointId: str(flags, 'vpcEndpoint'),
        inputBucket: str(flags, 'inputBucket'),
        outputBucket: str(flags, 'outputBucket'),
        ...(Object.keys(tags).length ? { tags } : {}),
        apply: flags['apply'] === true,
      },
    };
  },
  load: () => import('./commands/setup.js'),
};

const DIAGNOSE_FORMATS: readonly DiagnoseFormatName[] = ['text', 'json', 'markdown'];

const diagnose: CommandSpec<'diagnose'> = {
  name: 'diagnose',
  summary: 'from an AccessDenied error to the failing step, the deciding statement and the fix',
  argument: '[inputs...]',
  argumentHelp: 'files holding errors (messages, AWS CLI output, CloudTrail), or - for standard input',
  usage:
    '(--snapshot FILE | --example) [INPUT ...|-]\n' +
    '         [--format text|json|markdown] [--domain ID]\n' +
    '         [--user-profile NAME | --space NAME] [--studio-role ARN]\n' +
    '         [--job-role ARN] [--variant run-now|schedule|local]',
  description:
    'Reads access errors in every shape AWS prints them: IAM and S3/KMS AccessDenied messages (old and ' +
    'new, with the policy type and ARN), AWS CLI error lines, describe-training-job FailureReason, ' +
    'decode-authorization-message output, CloudTrail (lookup-events output or log files). Each denial is ' +
    'matched to the notebook-job step that makes the request (or decided as explain would when no step ' +
    'does), decided again on the snapshot, and given the deciding statement and the proven fix check ' +
    'gives. Where the snapshot disagrees with AWS it says so and lists likely causes. With --example and ' +
    'no input, reads the bundled examples/errors/.',
  examples: [
    { command: 'nbjob-iam diagnose --example', what: 'the example account and its bundled errors' },
    { command: 'pbpaste | nbjob-iam diagnose --snapshot acct.json -', what: 'an error copied from Studio' },
    { command: 'nbjob-iam diagnose --snapshot acct.json events.json --format json', what: 'aws cloudtrail lookup-events output' },
  ],
  flags: [
    { flags: '--snapshot <file>', help: 'the account snapshot (nbjob-iam snapshot writes it)' },
    { flags: '--example', help: 'the bundled example account (examples/)', defaultValue: false },
    { flags: '--domain <id>', help: 'the SageMaker domain (default: the only or first one)' },
    { flags: '--user-profile <name>', help: 'the user profile (default: the one whose role made the request)' },
    { flags: '--space <name>', help: 'a shared space instead of a user profile' },
    { flags: '--studio-role <arn>', help: 'the Studio execution role' },
    { flags: '--job-role <arn>', help: 'the notebook job role (default: taken from the error when it names one)' },
    { flags: '--variant <variant>', help: 'run now, on a schedule, or from local JupyterLab (tried first)', choices: VARIANTS },
    { flags: '--output-kms-key <arn>', help: 'the KMS key that encrypts job outputs' },
    { flags: '--volume-kms-key <arn>', help: 'the KMS key that encrypts the job volume' },
    { flags: '--input-bucket <name>', help: 'the input bucket' },
    { flags: '--output-bucket <name>', help: 'the output bucket' },
    {
      flags: '--create-time-resource-tags <answer>',
      help: 'open question: do create calls see their request tags as resource tags? (default: absent)',
      choices: ['absent', 'fromRequestTags'],
    },
    { flags: '--format <format>', help: 'output format', choices: DIAGNOSE_FORMATS, defaultValue: 'text' },
    MAX_INPUT_FLAG,
  ],
  toOptions({ args, flags }): DiagnoseCommandOptions {
    const snapshotFile = str(flags, 'snapshot');
    const example = flags['example'] === true;
    if (snapshotFile && example) throw new UsageError('give either --snapshot FILE or --example, not both', 'diagnose');
    if (!snapshotFile && !example) throw new UsageError('name the account: --snapshot FILE (see nbjob-iam snapshot), or --example', 'diagnose');
    if (!example && args.length === 0) throw new UsageError('name at least one file holding the error, or - for standard input', 'diagnose');
    if (args.filter((a) => a === '-').length > 1) throw new UsageError('standard input (-) can be named only once', 'diagnose');
    const userProfileName = str(flags, 'userProfile');
    const spaceName = str(flags, 'space');
    if (userProfileName && spaceName) throw new UsageError('give either --user-profile or --space, not both', 'diagnose');
    return {
      source: snapshotFile ? { kind: 'snapshot', file: snapshotFile } : { kind: 'example' },
      inputs: [...args],
      domainId: str(flags, 'domain'),
      userProfileName,
      spaceName,
      studioRoleArn: str(flags, 'studioRole'),
      jobRoleArn: str(flags, 'jobRole'),
      variant: str(flags, 'variant') as DiagnoseCommandOptions['variant'],
      outputKmsKeyArn: str(flags, 'outputKmsKey'),
      volumeKmsKeyArn: str(flags, 'volumeKmsKey'),
      inputBucket: str(flags, 'inputBucket'),
      outputBucket: str(flags, 'outputBucket'),
      createTimeResourceTags: str(flags, 'createTimeResourceTags') as DiagnoseCommandOptions['createTimeResourceTags'],
      format: (str(flags, 'format') ?? 'text') as DiagnoseFormatName,
      ...maxInput(flags, 'diagnose'),
    };
  },
  load: () => import('./commands/diagnose.js'),
};

/** Every command, in the order help lists them. */
export const COMMANDS: readonly CommandSpec[] = [check, diagnose, generate, setup, snapshot, validate, simulate, explain] as unknown as readonly CommandSpec[];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
