/**
 * One place every AWS call of `snapshot` and `setup` goes through: it records the
 * operation, reports progress, retries throttling, and sorts errors into "denied" (a gap
 * with the permission it needs), "credentials" (stop) and the rest.
 *
 * Retries: the clients nbjob-iam builds (live.ts `createClients`) use the SDK's adaptive
 * retry mode with `maxAttempts`, so on a real client a throttled call has been retried by
 * the SDK before it reaches us (its `$metadata.attempts` says so). A client whose `send`
 * does not run the SDK middleware (aws-sdk-client-mock, a wrapped client) gets the same
 * retries here; an error the SDK already retried is never retried again.
 * Throttling codes: the SDK's own list (@smithy/core service-error-classification),
 * without LimitExceededException, which IAM uses for quotas.
 */

export type ProgressFn = (done: number, total: number, label: string) => void;

/** Error codes AWS answers when the caller lacks the permission (IAM/KMS/S3/Organizations/SageMaker, EC2). */
const DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation', 'AuthorizationError', 'UnauthorizedAccess']);

const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
]);

/** Credentials that are missing, expired or wrong: nothing else can be read. */
const CREDENTIAL_CODES = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'TokenProviderError',
]);

interface AwsErrorLike {
  readonly name?: unknown;
  readonly Code?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly attempts?: number; readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
}

function asError(e: unknown): AwsErrorLike {
  return typeof e === 'object' && e !== null ? (e as AwsErrorLike) : {};
}

/** The AWS error code of an error (`name` in SDK v3). */
export function errorCode(e: unknown): string {
  const err = asError(e);
  for (const v of [err.name, err.Code, err.code]) if (typeof v === 'string' && v && v !== 'Error') return v;
  return 'Error';
}

/** The error's message, on one line and short: never the request, the response or the config. */
export function errorMessage(e: unknown): string {
  const m = asError(e).message;
  const text = typeof m === 'string' ? m : String(e);
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

export function isDenied(e: unknown): boolean {
  return DENIED_CODES.has(errorCode(e)) || asError(e).$metadata?.httpStatusCode === 403;
}

export function isThrottling(e: unknown): boolean {
  const err = asError(e);
  return THROTTLING_CODES.has(errorCode(e)) || err.$retryable?.throttling === true || err.$metadata?.httpStatusCode === 429;
}

export function isCredentialsError(e: unknown): boolean {
  return CREDENTIAL_CODES.has(errorCode(e));
}

/** A read the caller may not make: becomes a gap naming `permission`. */
export class DeniedError extends Error {
  constructor(
    readonly permission: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DeniedError';
  }
}

/** The credentials do not work; the whole command stops. */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

export interface CallerOptions {
  /** Attempts per call, the first included (as the SDK's maxAttempts). */
  readonly maxAttempts?: number;
  /** Waits between retries; tests pass one that does not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onProgress?: ProgressFn;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class AwsCaller {
  private readonly ops = new Set<string>();
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onProgress?: ProgressFn;
  private done = 0;
  private total = 0;
  /** Calls made, retries included. */
  calls = 0;
  /** Throttled calls retried here (not counting the SDK's own retries). */
  retries = 0;

  constructor(options: CallerOptions = {}) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.sleep = options.sleep ?? realSleep;
    this.onProgress = options.onProgress;
  }

  /** Every operation called, as `service:Operation`, sorted. */
  operations(): string[] {
    return [...this.ops].sort();
  }

  /** More work was found (pages are not counted, items are). */
  plan(n: number): void {
    this.total += n;
  }

  /** One planned unit of work is finished. */
  tick(label: string): void {
    this.done += 1;
    if (this.done > this.total) this.total = this.done;
    this.onProgress?.(this.done, this.total, label);
  }

  /**
   * Makes one call. `op` is `service:Operation` as the API names it; `permission` the IAM
   * action it needs when that differs (s3:GetBucketEncryption needs
   * s3:GetEncryptionConfiguration). Denied → DeniedError, bad credentials → CredentialsError,
   * throttling → retried with exponential backoff and jitter, anything else rethrown.
   */
  async call<T>(op: string, fn: () => Promise<T>, permission: string = op): Promise<T> {
    this.ops.add(op);
    for (let attempt = 1; ; attempt++) {
      this.calls += 1;
      try {
        return await fn();
      } catch (e) {
        if (isCredentialsError(e)) throw new CredentialsError(`AWS credentials do not work (${errorCode(e)}): ${errorMessage(e)}`);
        if (isDenied(e)) throw new DeniedError(permission, errorCode(e), errorMessage(e));
        const sdkRetried = (asError(e).$metadata?.attempts ?? 1) > 1;
        if (!isThrottling(e) || sdkRetried || attempt >= this.maxAttempts) throw e;
        this.retries += 1;
        const cap = Math.min(20_000, 100 * 2 ** attempt);
        await this.sleep(Math.floor(cap / 2 + Math.random() * (cap / 2)));
      }
    }
  }
}

/**
 * Reads every page of a paginated operation. `token` of a page gives the next request's
 * token; a repeated token stops (a service that loops would otherwise never end).
 */
export async function allPages<P, T>(fetch: (token: string | undefined) => Promise<P>, token: (page: P) => string | undefined, items: (page: P) => readonly T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let next: string | undefined;
  for (;;) {
    const page = await fetch(next);
    out.push(...(items(page) ?? []));
    next = token(page);
    if (!next || seen.has(next)) return out;
    seen.add(next);
  }
}
