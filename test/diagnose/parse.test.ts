/**
 * The parsers on the message shapes AWS documents. Each test names the page its message
 * comes from; the ARNs are the pages' own example values.
 */
import { describe, expect, it } from 'vitest';
import { isAccessErrorCode, parseInput, parseText } from '../../src/diagnose/parse.js';

function one(text: string) {
  const r = parseInput('msg.txt', text);
  expect(r.unreadable).toEqual([]);
  expect(r.denials).toHaveLength(1);
  return r.denials[0]!;
}

describe('IAM messages (IAM User Guide, "Troubleshoot access denied error messages")', () => {
  it('implicit deny: "because no identity-based policy allows the ACTION action"', () => {
    const d = one(
      'User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: codecommit:ListRepositories on resource: arn:aws:codecommit:us-east-1:123456789012:MyDemoRepo because no identity-based policy allows the codecommit:ListRepositories action',
    );
    expect(d).toMatchObject({
      principal: 'arn:aws:iam::123456789012:user/MaryMajor',
      action: 'codecommit:ListRepositories',
      resource: 'arn:aws:codecommit:us-east-1:123456789012:MyDemoRepo',
      layer: 'identity',
      kind: 'implicit',
      source: 'iam-message',
    });
  });

  it.each([
    ['a service control policy', 'scp'],
    ['a resource control policy', 'rcp'],
    ['a permissions boundary', 'permissionsBoundary'],
    ['a session policy', 'session'],
    ['a VPC endpoint policy', 'vpcEndpoint'],
    ['a resource-based policy', 'resource'],
    ['an identity-based policy', 'identity'],
  ])('explicit deny: "with an explicit deny in %s"', (phrase, layer) => {
    const d = one(
      `User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: codecommit:ListRepositories on resource: arn:aws:codecommit:us-east-1:123456789012:MyDemoRepo with an explicit deny in ${phrase}`,
    );
    expect(d.layer).toBe(layer);
    expect(d.kind).toBe('explicit');
  });

  it.each([
    ['session policy', 'session'],
    ['permissions boundary', 'permissionsBoundary'],
    ['service control policy', 'scp'],
    ['resource-based policy', 'resource'],
    ['VPC endpoint policy', 'vpcEndpoint'],
  ])('implicit deny: "because no %s allows"', (phrase, layer) => {
    const d = one(`User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no ${phrase} allows the s3:GetObject action`);
    expect(d.layer).toBe(layer);
    expect(d.kind).toBe('implicit');
  });

  it('the older form without a reason: kind and layer unknown', () => {
    const d = one('User: arn:aws:iam::123456789012:user/mateojackson is not authorized to perform: s3:GetWidget on resource: my-example-widget');
    expect(d.action).toBe('s3:GetWidget');
    expect(d.resource).toBe('my-example-widget');
    expect(d.kind).toBeUndefined();
    expect(d.layer).toBeUndefined();
  });
});

describe('the policy ARN (AWS Security Blog, "Enhanced access denied error messages with policy ARNs")', () => {
  it('names the SCP that denied, after the CLI line', () => {
    const d = one(
      'An error occurred (AccessDenied) when calling the ListRoles operation: User: arn:aws:iam::123456789012:user/Matt is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/* with an explicit deny in a service control policy: arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd',
    );
    expect(d).toMatchObject({
      source: 'cli-error',
      errorCode: 'AccessDenied',
      operation: 'ListRoles',
      action: 'iam:ListRoles',
      resource: 'arn:aws:iam::123456789012:role/*',
      layer: 'scp',
      kind: 'explicit',
      policyArn: 'arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd',
    });
  });

  it('names an identity policy, followed by a console link (IAM, "Troubleshoot access denied error messages with authorization ID")', () => {
    const d = one(
      'User: arn:aws:iam::123456789012:user/janedoe is not authorized to perform: iam:CreateInstanceProfile on resource: arn:aws:iam::123456789012:instance-profile/my-instance-profile with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/ExampleDenyPolicy. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/EXAMPLE1a2b3c4d5e',
    );
    expect(d.policyArn).toBe('arn:aws:iam::123456789012:policy/ExampleDenyPolicy');
    expect(d.layer).toBe('identity');
  });
});

describe('S3 (S3 User Guide, "Troubleshoot access denied (403 Forbidden) errors in Amazon S3")', () => {
  it('reads the quoted resource of the enhanced message', () => {
    const d = one(
      'User: arn:aws:iam::777788889999:user/MaryMajor is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::amzn-s3-demo-bucket1/object-name" because no VPC endpoint policy allows the s3:GetObject action',
    );
    expect(d.resource).toBe('arn:aws:s3:::amzn-s3-demo-bucket1/object-name');
    expect(d.layer).toBe('vpcEndpoint');
  });

  it('the bare "Access Denied" of the CLI names only the operation (and the s3:// URI of aws s3 cp)', () => {
    const d = one('download failed: s3://amzn-s3-demo-bucket/file.txt to ./file.txt An error occurred (AccessDenied) when calling the GetObject operation: Access Denied');
    expect(d).toMatchObject({ operation: 'GetObject', errorCode: 'AccessDenied', resource: 'arn:aws:s3:::amzn-s3-demo-bucket/file.txt' });
    expect(d.action).toBeUndefined();
    expect(d.principal).toBeUndefined();
  });

  it('the XML error body', () => {
    const d = one('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><Resource>/amzn-s3-demo-bucket/photos/cat.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>');
    expect(d).toMatchObject({ source: 's3-error', errorCode: 'AccessDenied', resource: 'arn:aws:s3:::amzn-s3-demo-bucket/photos/cat.jpg' });
  });
});

describe('KMS (AWS KMS Developer Guide, "Troubleshooting key access")', () => {
  it('"on this resource because the resource does not exist in this Region, no resource-based policies allow access, ..."', () => {
    const d = one(
      'An error occurred (AccessDeniedException) when calling the Decrypt operation: User: arn:aws:iam::111122223333:user/Alice is not authorized to perform: kms:Decrypt on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access',
    );
    expect(d).toMatchObject({ action: 'kms:Decrypt', layer: 'resource', errorCode: 'AccessDeniedException', operation: 'Decrypt' });
    expect(d.resource).toBeUndefined();
    expect(d.kind).toBeUndefined();
  });

  it('the key-policy form "because no resource-based policy allows the kms:Decrypt action", wrapped over lines', () => {
    const d = one(
      'An error occurred (AccessDeniedException) when calling the Decrypt operation:\nUser: arn:aws:sts::123456789012:assumed-role/cross-region-worker/session-id\nis not authorized to perform: kms:Decrypt\non resource: arn:aws:kms:us-east-1:123456789012:key/mrk-abc123def456\nbecause no resource-based policy allows the kms:Decrypt action\n',
    );
    expect(d).toMatchObject({
      principal: 'arn:aws:sts::123456789012:assumed-role/cross-region-worker/session-id',
      resource: 'arn:aws:kms:us-east-1:123456789012:key/mrk-abc123def456',
      layer: 'resource',
      kind: 'implicit',
    });
  });
});

describe('EC2 (re:Post, "How do I troubleshoot explicit deny in a service control policy errors?")', () => {
  it('UnauthorizedOperation with an encoded authorization failure message', () => {
    const d = one(
      'You are not authorized to perform this operation. User: arn:aws:sts::999888777666:assumed-role/ReadOnly/Tom is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:999888777666:instance/* with an explicit deny in a service control policy. Encoded authorization failure message: XQ_jqde5rHje6j9P-qke7-HNpHWzSWvxYobhcCPSpfOmLTkOylRBKd0eE4Xx4U',
    );
    expect(d).toMatchObject({ action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1:999888777666:instance/*', layer: 'scp', kind: 'explicit', encoded: true });
  });
});

describe('decoded authorization messages (STS API Reference, DecodeAuthorizationMessage)', () => {
  const decoded = {
    allowed: false,
    explicitDeny: true,
    matchedStatements: { items: [{ statementId: 'DenyUntaggedTraining', effect: 'DENY' }] },
    failures: { items: [] },
    context: {
      principal: { id: 'AROAEXAMPLE:SageMaker', arn: 'arn:aws:sts::111122223333:assumed-role/NotebookJobRole/SageMaker' },
      action: 'sagemaker:CreateTrainingJob',
      resource: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/job-1',
      conditions: { items: [{ key: 'aws:RequestTag/team', values: { items: [{ value: 'data-science' }] } }] },
    },
  };
  it('reads the decoded document itself', () => {
    const d = one(JSON.stringify(decoded));
    expect(d).toMatchObject({ source: 'decoded-authorization', action: 'sagemaker:CreateTrainingJob', kind: 'explicit', context: { 'aws:RequestTag/team': ['data-science'] } });
  });
  it('reads the CLI output {"DecodedMessage": "..."}', () => {
    const d = one(JSON.stringify({ DecodedMessage: JSON.stringify(decoded) }));
    expect(d.principal).toBe('arn:aws:sts::111122223333:assumed-role/NotebookJobRole/SageMaker');
  });
  it('an allowed request is no denial', () => {
    const r = parseInput('m.json', JSON.stringify({ DecodedMessage: JSON.stringify({ ...decoded, allowed: true }) }));
    expect(r.denials).toEqual([]);
    expect(r.skipped).toBe(1);
  });
});

describe('CloudTrail (CloudTrail User Guide, "CloudTrail record contents" and lookup-events)', () => {
  const record = (errorCode: string | undefined, extra: Record<string, unknown> = {}) => ({
    eventSource: 's3.amazonaws.com',
    eventName: 'ListObjects',
    userIdentity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/NotebookJobRole/SageMaker',
      sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/NotebookJobRole' } },
    },
    requestParameters: { bucketName: 'amzn-s3-demo-bucket' },
    ...(errorCode ? { errorCode, errorMessage: 'Access Denied' } : {}),
    eventTime: '2026-11-02T09:00:00Z',
    ...extra,
  });
  it('a log file: access errors read, other records counted as skipped', () => {
    const r = parseInput('trail.json', JSON.stringify({ Records: [record('AccessDenied'), record(undefined), record('NoSuchKey'), record('Client.UnauthorizedOperation')] }));
    expect(r.denials).toHaveLength(2);
    expect(r.skipped).toBe(2);
    expect(r.denials[0]).toMatchObject({
      input: 'trail.json Records[0]',
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::amzn-s3-demo-bucket',
      principalRoleArn: 'arn:aws:iam::111122223333:role/NotebookJobRole',
      time: '2026-11-02T09:00:00Z',
    });
  });
  it('lookup-events output with CloudTrailEvent strings; a broken one is unreadable, not a crash', () => {
    const r = parseInput('events.json', JSON.stringify({ Events: [{ EventName: 'ListObjects', CloudTrailEvent: JSON.stringify(record('AccessDenied')) }, { CloudTrailEvent: '{broken' }] }));
    expect(r.denials).toHaveLength(1);
    expect(r.unreadable).toEqual([{ input: 'events.json Events[1]', reason: 'its CloudTrailEvent is not valid JSON', text: '{broken' }]);
  });
  it('a service principal (EventBridge assuming the job role) is the caller', () => {
    const r = parseInput(
      'e.json',
      JSON.stringify({ Records: [{ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', userIdentity: { type: 'AWSService', invokedBy: 'events.amazonaws.com' }, errorCode: 'AccessDenied', resources: [{ ARN: 'arn:aws:iam::111122223333:role/NotebookJobRole' }] }] }),
    );
    expect(r.denials[0]).toMatchObject({ principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: 'arn:aws:iam::111122223333:role/NotebookJobRole' });
  });
});

describe('SageMaker (SageMaker API Reference, DescribeTrainingJob and ListPipelineExecutionSteps)', () => {
  it('a training job FailureReason; the job role is the caller when the message names none', () => {
    const r = parseInput(
      'job.json',
      JSON.stringify({
        TrainingJobName: 'j',
        TrainingJobStatus: 'Failed',
        FailureReason: 'ClientError: An error occurred (AccessDenied) when calling the GetObject operation: Access Denied',
        RoleArn: 'arn:aws:iam::111122223333:role/NotebookJobRole',
      }),
    );
    expect(r.denials).toHaveLength(1);
    expect(r.denials[0]).toMatchObject({ source: 'training-job', operation: 'GetObject', principalRoleArn: 'arn:aws:iam::111122223333:role/NotebookJobRole' });
  });
  it('a completed job has no denial', () => {
    const r = parseInput('job.json', JSON.stringify({ TrainingJobName: 'j', TrainingJobStatus: 'Completed' }));
    expect(r).toEqual({ denials: [], unreadable: [], skipped: 1 });
  });
  it('a failure that is not about access is skipped, not misread', () => {
    const r = parseInput('job.json', JSON.stringify({ TrainingJobName: 'j', TrainingJobStatus: 'Failed', FailureReason: 'AlgorithmError: ExecuteUserScriptError: exit code 1' }));
    expect(r.denials).toEqual([]);
    expect(r.unreadable).toEqual([]);
  });
});

describe('several messages and unknown shapes', () => {
  it('one message per line, and one per paragraph', () => {
    const line = (a: string) => `An error occurred (AccessDeniedException) when calling the X operation: User: arn:aws:sts::1:assumed-role/R/s is not authorized to perform: ${a} on resource: *`;
    const r = parseText('log.txt', `${line('a:One')}\n${line('b:Two')}\n\n${line('c:Three')}`);
    expect(r.denials.map((d) => d.action)).toEqual(['a:One', 'b:Two', 'c:Three']);
  });
  it('text with no access error is "could not read", with the text, never a crash', () => {
    const r = parseInput('x.txt', 'Kernel died\u001b[31m unexpectedly');
    expect(r.denials).toEqual([]);
    expect(r.unreadable[0]?.reason).toMatch(/could not read an access error/);
    expect(r.unreadable[0]?.text).toContain('Kernel died');
  });
  it('JSON of an unknown shape without an access error is unreadable; with one it is read', () => {
    expect(parseInput('u.json', '{"a": 1}').unreadable[0]?.reason).toMatch(/could not read this JSON/);
    const r = parseInput('u.json', JSON.stringify({ log: [{ msg: 'User: arn:aws:sts::1:assumed-role/R/s is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k' }] }));
    expect(r.denials[0]?.input).toBe('u.json $.log[0].msg');
  });
  it('a CLI error that is not about access is no denial', () => {
    const r = parseInput('x.txt', 'An error occurred (ThrottlingException) when calling the PutRule operation: Rate exceeded');
    expect(r.denials).toEqual([]);
    expect(r.unreadable[0]?.reason).toMatch(/ThrottlingException is not an access denial/);
  });
  it('an empty input', () => {
    expect(parseInput('e.txt', '  \n').unreadable[0]?.reason).toBe('the input is empty');
  });
  it.each([
    ['AccessDenied', true],
    ['AccessDeniedException', true],
    ['Client.UnauthorizedOperation', true],
    ['UnauthorizedOperation', true],
    ['ThrottlingException', false],
    ['NoSuchKey', false],
    [undefined, false],
  ])('error code %s is an access error: %s', (code, expected) => {
    expect(isAccessErrorCode(code)).toBe(expected);
  });
});
