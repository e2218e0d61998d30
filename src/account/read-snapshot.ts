/**
 * Reading a snapshot file: JSON with positions, checked against
 * schemas/snapshot.schema.json, every error with file, line, column and JSON path.
 */
import { nodeAtPointer, parseJson, pointerToPath, toPlain } from '../policy/json.js';
import { parseJsonFast } from '../policy/json-fast.js';
import { validate as generatedValidate } from './snapshot-validator.generated.js';
import type { AccountSnapshot } from './snapshot.js';
import { SNAPSHOT_VERSION } from './snapshot.js';
import { withSnapshotDefaults } from './snapshot-defaults.js';
import { shareEqualDocuments } from './share-documents.js';

export interface FileError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly message: string;
}

/** `file:line:column: message (at $.path)`; without line and column when the error has none (line 0). */
export function formatFileError(e: FileError): string {
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.column}` : e.file;
  return `${where}: ${e.message}${e.path && e.path !== '$' ? ` (at ${e.path})` : ''}`;
}

interface AjvError {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}
type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/** The schema shipped with the package (schemas/ sits beside dist/ and src/). */
export function snapshotSchemaPath(): string {
  return new URL('../../schemas/snapshot.schema.json', import.meta.url).pathname;
}

/**
 * The schema's validator, generated ahead of time (scripts/gen-snapshot-validator.mjs; a test
 * keeps it in step with the schema): no schema compilation at start-up.
 */
function getValidator(): Validator {
  return generatedValidate as Validator;
}

function describeAjvError(e: AjvError): string {
  switch (e.keyword) {
    case 'required':
      return `missing required property "${String(e.params.missingProperty)}"`;
    case 'additionalProperties':
      return `unknown property "${String(e.params.additionalProperty)}"`;
    case 'enum':
      return `expected one of ${JSON.stringify(e.params.allowedValues)}`;
    case 'const':
      return `expected ${JSON.stringify(e.params.allowedValue)}`;
    case 'type':
      return `expected ${String(e.params.type)}`;
    case 'pattern':
      return `does not match the expected format ${String(e.params.pattern)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * The most tags one role, user, key, bucket, domain, profile or space can carry: AWS allows
 * 50 ("IAM and AWS STS quotas": tags per role or user; SageMaker, AWS KMS and Amazon S3 also
 * 50 per resource). A snapshot with more did not come from AWS, and every step of `check`
 * copies a role's tags into its request context: 100,000 tags on a role took minutes.
 */
export const MAX_SNAPSHOT_TAGS = 50;

/** Tag maps over MAX_SNAPSHOT_TAGS, as JSON Pointers with a message (the schema cannot say it). */
function limitErrors(value: unknown): Array<{ pointer: string; message: string }> {
  const out: Array<{ pointer: string; message: string }> = [];
  const walk = (v: unknown, pointer: string, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 6) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], `${pointer}/${i}`, depth + 1);
      return;
    }
    for (const [k, child] of Object.entries(v)) {
      const at = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (k === 'tags' && child !== null && typeof child === 'object' && !Array.isArray(child)) {
        const n = Object.keys(child).length;
        if (n > MAX_SNAPSHOT_TAGS) out.push({ pointer: at, message: `${n.toLocaleString('en-US')} tags; AWS allows at most ${MAX_SNAPSHOT_TAGS} on a role, user or resource, so this is not what AWS returned` });
      } else if (k !== 'document' && k !== 'trustPolicy' && k !== 'policy') walk(child, at, depth + 1);
    }
  };
  walk(value, '', 0);
  return out;
}

/**
 * Reads and checks a snapshot. Errors name the file, line and column. The snapshot is
 * returned only when it is valid.
 */
export function readSnapshotText(text: string, file: string): { snapshot?: AccountSnapshot; errors: FileError[] } {
  // Fast path: JSON.parse, a duplicate-key scan and the generated validator. Anything wrong
  // goes to the positioned reader below, which says where.
  const fast = parseJsonFast(text);
  if (fast.ok) {
    const version = (fast.value as { snapshotVersion?: unknown } | null)?.snapshotVersion;
    if ((typeof version !== 'number' || version === SNAPSHOT_VERSION) && getValidator()(fast.value) && limitErrors(fast.value).length === 0) {
      return { snapshot: shareEqualDocuments(withSnapshotDefaults(fast.value as AccountSnapshot)), errors: [] };
    }
  }
  return readSnapshotPositioned(text, file);
}

/** Reads a snapshot with positions (momoa): every error with its line, column and JSON path. */
function readSnapshotPositioned(text: string, file: string): { snapshot?: AccountSnapshot; errors: FileError[] } {
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const e = parsed.error;
    return { errors: [{ file, line: e.line, column: e.column, path: e.path, message: e.message }] };
  }
  const errors: FileError[] = parsed.duplicates.map((d) => ({
    file,
    line: d.loc.line,
    column: d.loc.column,
    path: d.path,
    message: `duplicate key "${d.key}"`,
  }));
  const value = JSON.parse(JSON.stringify(toPlain(parsed.root))) as unknown;
  const version = (value as { snapshotVersion?: unknown } | null)?.snapshotVersion;
  if (typeof version === 'number' && version !== SNAPSHOT_VERSION) {
    return {
      errors: [
        {
          file,
          line: parsed.root.loc.line,
          column: parsed.root.loc.column,
          path: '$.snapshotVersion',
          message: `snapshot version ${version} is not supported; this nbjob-iam reads version ${SNAPSHOT_VERSION}`,
        },
      ],
    };
  }
  const validate = getValidator();
  if (!validate(value)) {
    for (const e of validate.errors ?? []) {
      const node = nodeAtPointer(parsed.root, e.instancePath);
      errors.push({ file, line: node.loc.line, column: node.loc.column, path: pointerToPath(e.instancePath), message: describeAjvError(e) });
    }
  }
  for (const e of limitErrors(value)) {
    const node = nodeAtPointer(parsed.root, e.pointer);
    errors.push({ file, line: node.loc.line, column: node.loc.column, path: pointerToPath(e.pointer), message: e.message });
  }
  if (errors.length) return { errors };
  return { snapshot: shareEqualDocuments(withSnapshotDefaults(value as AccountSnapshot)), errors };
}
