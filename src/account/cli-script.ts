/**
 * `nbjob-iam snapshot --cli-script`: a bash script that saves, with the AWS CLI, exactly
 * the files `snapshot --from-cli DIR` reads (the names of `CLI_FILES`), for every domain
 * of the region (or those named), each of their user profiles and spaces with their tags,
 * the KMS keys the domains use and those named, and the default job bucket and those
 * named. Runs in AWS CloudShell as is (bash and the AWS CLI v2; no jq). Every call is a
 * read; a call that fails (no permission, no organization) is reported and skipped, and
 * the importer names what is then missing.
 */

export interface CliScriptOptions {
  /** Domains to save; all domains of the region when empty. */
  readonly domains?: readonly string[];
  /** KMS keys to save besides the domains' own (ids, ARNs or aliases). */
  readonly kmsKeys?: readonly string[];
  /** Buckets to save besides the default job bucket. */
  readonly buckets?: readonly string[];
  /** Region; the CLI's own (AWS_REGION in CloudShell) when absent. */
  readonly region?: string;
}

/** Quotes a value for bash: single quotes, a quote inside closed, escaped, reopened. */
export function bashQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function words(values: readonly string[] | undefined): string {
  return (values ?? []).map(bashQuote).join(' ');
}

export function cliScript(options: CliScriptOptions = {}): string {
  const region = options.region ? `export AWS_REGION=${bashQuote(options.region)} AWS_DEFAULT_REGION=${bashQuote(options.region)}\n` : '';
  return `#!/usr/bin/env bash
# Saves what \`nbjob-iam snapshot --from-cli DIR\` reads, with read-only AWS CLI calls.
# Run it in AWS CloudShell (or anywhere the AWS CLI v2 has credentials):
#   bash nbjob-iam-save.sh [DIR]        # DIR defaults to nbjob-iam-cli
# then, where nbjob-iam is installed:
#   nbjob-iam snapshot --from-cli DIR --out account.json && nbjob-iam check --snapshot account.json --all-profiles
# A call that fails (no permission, no organization) is reported and skipped.
set -uo pipefail
${region}DIR="\${1:-nbjob-iam-cli}"
DOMAINS=(${words(options.domains)})
KMS_KEYS=(${words(options.kmsKeys)})
BUCKETS=(${words(options.buckets)})
mkdir -p "$DIR" || exit 2
cd "$DIR" || exit 2
saved=0 skipped=0

# save FILE aws-arguments...: runs \`aws ARGS --output json\` into FILE; on failure says why and keeps nothing.
save() {
  local file="$1"; shift
  if aws "$@" --output json > "$file.part" 2> "$file.err"; then
    mv "$file.part" "$file"; rm -f "$file.err"; saved=$((saved + 1))
  else
    echo "skipped $file: $(tr '\\n' ' ' < "$file.err" | cut -c1-200)" >&2
    rm -f "$file.part" "$file.err"; skipped=$((skipped + 1)); return 1
  fi
}
# text aws-arguments...: one value per word, from \`--output text\`; nothing on failure.
text() { aws "$@" --output text 2>/dev/null | tr '\\t' '\\n' | grep -v '^None$' | grep -v '^$'; }

save sts-get-caller-identity.json sts get-caller-identity || { echo "no credentials: configure the AWS CLI first" >&2; exit 2; }
ACCOUNT=$(text sts get-caller-identity --query Account)
REGION=$(aws configure get region 2>/dev/null || true)
REGION=\${AWS_REGION:-\${AWS_DEFAULT_REGION:-$REGION}}
[ -n "$REGION" ] || { echo "no region: export AWS_REGION=..." >&2; exit 2; }
echo "account $ACCOUNT, region $REGION, saving into $DIR" >&2

save iam-get-account-authorization-details.json iam get-account-authorization-details

# The organization: the path from the account up to the root, and the SCPs and RCPs at every level.
if save organizations-describe-organization.json organizations describe-organization; then
  save organizations-list-roots.json organizations list-roots
  child="$ACCOUNT"
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    for filter in SERVICE_CONTROL_POLICY:scp RESOURCE_CONTROL_POLICY:rcp; do
      file="organizations-list-policies-for-target-$child-\${filter#*:}.json"
      if save "$file" organizations list-policies-for-target --target-id "$child" --filter "\${filter%%:*}"; then
        for policy in $(text organizations list-policies-for-target --target-id "$child" --filter "\${filter%%:*}" --query 'Policies[].Id'); do
          [ -f "organizations-describe-policy-$policy.json" ] || save "organizations-describe-policy-$policy.json" organizations describe-policy --policy-id "$policy"
        done
      fi
    done
    case "$child" in r-*) break ;; esac
    save "organizations-list-parents-$child.json" organizations list-parents --child-id "$child" || break
    child=$(text organizations list-parents --child-id "$child" --query 'Parents[0].Id')
    [ -n "$child" ] || break
  done
fi

save ec2-describe-vpc-endpoints.json ec2 describe-vpc-endpoints
save kms-list-aliases.json kms list-aliases

# SageMaker: the domains, their user profiles and spaces, and their tags.
[ \${#DOMAINS[@]} -gt 0 ] || DOMAINS=($(text sagemaker list-domains --query 'Domains[].DomainId'))
for domain in "\${DOMAINS[@]}"; do
  save "sagemaker-describe-domain-$domain.json" sagemaker describe-domain --domain-id "$domain" || continue
  key=$(text sagemaker describe-domain --domain-id "$domain" --query KmsKeyId)
  [ -n "$key" ] && KMS_KEYS+=("$key")
  for name in $(text sagemaker list-user-profiles --domain-id-equals "$domain" --query 'UserProfiles[].UserProfileName'); do
    save "sagemaker-describe-user-profile-$domain-$name.json" sagemaker describe-user-profile --domain-id "$domain" --user-profile-name "$name" || continue
    arn=$(text sagemaker describe-user-profile --domain-id "$domain" --user-profile-name "$name" --query UserProfileArn)
    save "sagemaker-list-tags-user-profile-$domain-$name.json" sagemaker list-tags --resource-arn "$arn"
  done
  for name in $(text sagemaker list-spaces --domain-id-equals "$domain" --query 'Spaces[].SpaceName'); do
    save "sagemaker-describe-space-$domain-$name.json" sagemaker describe-space --domain-id "$domain" --space-name "$name" || continue
    arn=$(text sagemaker describe-space --domain-id "$domain" --space-name "$name" --query SpaceArn)
    save "sagemaker-list-tags-space-$domain-$name.json" sagemaker list-tags --resource-arn "$arn"
  done
done

# KMS keys: the domains' and those named; files are named by key id.
for key in "\${KMS_KEYS[@]}"; do
  id=$(text kms describe-key --key-id "$key" --query KeyMetadata.KeyId)
  [ -n "$id" ] || { echo "skipped key $key: cannot describe it" >&2; skipped=$((skipped + 1)); continue; }
  [ -f "kms-describe-key-$id.json" ] && continue
  save "kms-describe-key-$id.json" kms describe-key --key-id "$id"
  save "kms-get-key-policy-$id.json" kms get-key-policy --key-id "$id" --policy-name default
done

# Buckets: the default job bucket and those named. A bucket with no policy has no policy file.
BUCKETS+=("sagemaker-automated-execution-$ACCOUNT-$REGION")
for bucket in "\${BUCKETS[@]}"; do
  [ -f "s3api-get-bucket-location-$bucket.json" ] && continue
  save "s3api-get-bucket-location-$bucket.json" s3api get-bucket-location --bucket "$bucket" || continue
  save "s3api-get-bucket-encryption-$bucket.json" s3api get-bucket-encryption --bucket "$bucket"
  save "s3api-get-bucket-policy-$bucket.json" s3api get-bucket-policy --bucket "$bucket"
done

echo "saved $saved files into $DIR ($skipped calls skipped: see above)" >&2
echo "next: nbjob-iam snapshot --from-cli $DIR --out account.json" >&2
`;
}
