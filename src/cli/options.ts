/**
 * The typed options of each command: what argv means, decided without doing any work
 * (test/cli/argv.test.ts maps argv to these). Kept free of heavy imports so that parsing
 * the command line loads nothing but commander.
 */
import type { SetupOptions } from '../account/setup-plan.js';
import type { GenerateOptions } from '../notebook-jobs/generate.js';
import type { PolicyKind } from '../policy/model.js';

export type FindingsFormat = 'text' | 'json' | 'sarif';
export type DecisionFormat = 'text' | 'json';

export interface ValidateOptions {
  /** Files, directories (every *.json below) or `-` for standard input. */
  readonly files: readonly string[];
  readonly kind: PolicyKind | 'auto';
  readonly format: FindingsFormat;
  /** Validate the bundled reference policies (reference/) instead of, or besides, files. */
  readonly reference: boolean;
  /** --max-input-size: the cap, in bytes, for every file this command reads (default per kind, docs/input.md). */
  readonly maxInputBytes?: number;
}

export interface SimulateOptions {
  /** Scenario files or directories (every *.json below). */
  readonly paths: readonly string[];
  readonly format: DecisionFormat;
  /** --max-input-size: the cap, in bytes, for every file this command reads (default per kind, docs/input.md). */
  readonly maxInputBytes?: number;
}

/** Context values from `--context key=value`; a key given twice is multi-valued. */
export type ContextValues = Readonly<Record<string, string | readonly string[]>>;

/** `explain` from a scenario file. */
export interface ExplainScenarioOptions {
  readonly mode: 'scenario';
  readonly scenario: string;
  readonly format: DecisionFormat;
  /** --max-input-size: the cap, in bytes, for every file this command reads (default per kind, docs/input.md). */
  readonly maxInputBytes?: number;
}

/** `explain` from flags: one request and the policy files that decide it. */
export interface ExplainRequestOptions {
  readonly mode: 'request';
  readonly principal: string;
  readonly principalRoleArn?: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount?: string;
  readonly context: ContextValues;
  readonly unknownContextKeys: readonly string[];
  readonly identity: readonly string[];
  readonly boundary?: string;
  readonly session: readonly string[];
  readonly resourcePolicy?: string;
  /** One list of files per level, organization root first, account last. */
  readonly scp?: ReadonlyArray<readonly string[]>;
  readonly rcp?: ReadonlyArray<readonly string[]>;
  readonly vpcEndpoint?: string;
  readonly format: DecisionFormat;
  /** --max-input-size: the cap, in bytes, for every file this command reads (default per kind, docs/input.md). */
  readonly maxInputBytes?: number;
}

export type ExplainOptions = ExplainScenarioOptions | ExplainRequestOptions;

export type CheckFormatName = 'text' | 'json' | 'markdown' | 'sarif' | 'html';

export interface CheckOptions {
  /** A snapshot file, or the bundled example account. */
  readonly source: { readonly kind: 'snapshot'; readonly file: string } | { readonly kind: 'example' };
  readonly domainId?: string;
  readonly userProfileName?: string;
  readonly spaceName?: string;
  readonly studioRoleArn?: string;
  readonly jobRoleArn?: string;
  readonly variant?: 'run-now' | 'schedule' | 'local';
  readonly outputKmsKeyArn?: string;
  readonly volumeKmsKeyArn?: string;
  readonly inputBucket?: string;
  readonly outputBucket?: string;
  /** The job's VpcConfig subnets; `[]`: none. Absent: the domain's default. */
  readonly jobSubnetIds?: readonly string[];
  /** Every user profile and space of the snapshot, with a summary table. */
  readonly allProfiles: boolean;
  /** docs/notebook-job-flow.md §6.1: do create calls see their request tags as resource tags? */
  readonly createTimeResourceTags?: 'absent' | 'fromRequestTags';
  readonly verbose: boolean;
  /** An earlier `--format json` report: what it holds is not shown (docs/ci.md). */
  readonly baseline?: string;
  /** A suppressions file: accepted failures with their reasons (docs/ci.md). */
  readonly suppressions?: string;
  readonly format: CheckFormatName;
  /** --max-input-size: the cap, in bytes, for every file this command reads (default per kind, docs/input.md). */
  readonly maxInputBytes?: number;
}

export type DiagnoseFormatName = 'text' | 'json' | 'markdown';

export interface DiagnoseCommandOptions {
  /** A snapshot file, or the bundled example account. */
  readonly source: CheckOptions['source'];
  /** Error files, or - for standard input; none with --example: the bundled examples/errors/. */
  readonly inputs: readonly string[];
  readonly domainId?: string;
  readonly userProfileName?: string;
  readonly spaceName?: string;
  readonly studioRoleArn?: string;
  readonly jobRoleArn?: string;
  readonly variant?: 'run-now' | 'schedule' | 'local';
  readonly outputKmsKeyArn?: string;
  readonly volumeKmsKeyArn?: string;
  readonly inputBucket?: string;
  readonly outputBucket?: string;
  readonly createTimeResourceTags?: 'absent' | 'fromRequestTags';
  readonly format: DiagnoseFormatName;
  /** --max-input-size: the cap, in bytes, for every file this command reads (default per kind, docs/input.md). */
  readonly maxInputBytes?: number;
}

export interface SnapshotCommandOptions {
  /** Where to write the snapshot; absent only with `cliScript`. */
  readonly out?: string;
  /** Print a bash script that saves what `--from-cli` reads (src/account/cli-script.ts). */
  readonly cliScript: boolean;
  /** A folder of saved AWS CLI outputs (docs/snapshot-from-cli.md); absent: read the live account. */
  readonly fromCli?: string;
  readonly profile?: string;
  /** Live: a second profile (management account or delegated administrator) for Organizations. */
  readonly orgProfile?: string;
  /** A folder of saved Organizations CLI outputs or a snapshot file whose organization is merged. */
  readonly mergeOrg?: string;
  readonly region?: string;
  readonly domains: readonly string[];
  readonly kmsKeys: readonly string[];
  readonly buckets: readonly string[];
  /** --max-input-size: the cap, in bytes, for every file this command reads (default per kind, docs/input.md). */
  readonly maxInputBytes?: number;
}

/** The setup a policy set is generated for: generate's own options (a type-only import, erased at run time). */
export type GenerateSetup = GenerateOptions;

export interface GenerateCommandOptions {
  readonly generate: GenerateSetup;
  readonly format: 'json' | 'cloudformation' | 'terraform' | 'cli';
}

export interface SetupCommandOptions {
  /** setup's own options, less the callbacks the command supplies itself. */
  readonly setup: Omit<SetupOptions, 'onProgress' | 'sleep'> & { readonly apply: boolean };
}

export type ParsedCommand =
  | { readonly command: 'check'; readonly options: CheckOptions }
  | { readonly command: 'snapshot'; readonly options: SnapshotCommandOptions }
  | { readonly command: 'generate'; readonly options: GenerateCommandOptions }
  | { readonly command: 'setup'; readonly options: SetupCommandOptions }
  | { readonly command: 'validate'; readonly options: ValidateOptions }
  | { readonly command: 'simulate'; readonly options: SimulateOptions }
  | { readonly command: 'explain'; readonly options: ExplainOptions }
  | { readonly command: 'diagnose'; readonly options: DiagnoseCommandOptions };

export type CommandName = ParsedCommand['command'];
