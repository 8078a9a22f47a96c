import {
  CreateRoleCommand,
  type CreateRoleCommandInput,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { clientConfig, control, startTestSandbox, useTestSandbox, TRUST_POLICY } from '../helpers/sandbox.ts';

let sandbox: Sandbox;
let iam: IAMClient;

useTestSandbox((started) => {
  sandbox = started;
  iam = new IAMClient(clientConfig(started));
  return iam;
});


const USE_CONNECTION = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'codestar-connections:UseConnection',
      Resource: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc',
    },
  ],
});

async function createRole(roleName: string, extra: Partial<CreateRoleCommandInput> = {}) {
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: TRUST_POLICY, ...extra }));
  return Role!;
}

async function putPolicy(roleName: string, policyName: string, document = USE_CONNECTION) {
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: document }));
}

interface ExpectedError {
  name: string;
  status: number;
  message?: string | RegExp;
}

/** The SDK names modeled errors `<Code>Exception` and unmodeled ones by their bare code. */
async function expectIamError(call: Promise<unknown>, expected: ExpectedError): Promise<void> {
  const error = (await call.then(
    () => {
      throw new Error(`expected ${expected.name}, but the call succeeded`);
    },
    (caught: unknown) => caught,
  )) as { name: string; message: string; $metadata: { httpStatusCode?: number } };
  expect(error.name).toBe(expected.name);
  expect(error.$metadata.httpStatusCode).toBe(expected.status);
  if (typeof expected.message === 'string') expect(error.message).toBe(expected.message);
  else if (expected.message) expect(error.message).toMatch(expected.message);
}

/** A raw query-protocol call, to see the XML itself and to send what the SDK never would. */
async function rawQuery(params: Record<string, string>): Promise<{ status: number; body: string }> {
  const response = await fetch(sandbox.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString(),
  });
  return { status: response.status, body: await response.text() };
}

/** A control call that is expected to fail: its status and JSON error body. */
async function controlFailure(method: 'POST' | 'DELETE', path: string, body?: unknown) {
  const response = await fetch(`${sandbox.url}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as { error: { code: string; message: string; details: { path: string }[] } };
  return { status: response.status, error: json.error };
}

describe('CreateRole and GetRole', () => {
  it('creates a role with the ARN, id, date and URL-encoded trust policy IAM returns', async () => {
    const before = Date.now();
    const role = await createRole('pipeline-role', {
      Path: '/service-role/',
      Description: 'Runs the pipeline',
      MaxSessionDuration: 7200,
      Tags: [{ Key: 'team', Value: 'platform' }],
    });
    expect(role.Arn).toBe('arn:aws:iam::111111111111:role/service-role/pipeline-role');
    expect(role.RoleName).toBe('pipeline-role');
    expect(role.Path).toBe('/service-role/');
    expect(role.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(role.CreateDate).toBeInstanceOf(Date);
    expect(role.CreateDate!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(role.CreateDate!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(role.AssumeRolePolicyDocument).not.toContain('{');
    expect(decodeURIComponent(role.AssumeRolePolicyDocument!)).toBe(TRUST_POLICY);
    expect(role.Description).toBe('Runs the pipeline');
    expect(role.MaxSessionDuration).toBe(7200);
    expect(role.Tags).toEqual([{ Key: 'team', Value: 'platform' }]);

    const { Role: fetched } = await iam.send(new GetRoleCommand({ RoleName: 'pipeline-role' }));
    expect(fetched).toMatchObject({
      Arn: role.Arn,
      RoleId: role.RoleId,
      Path: '/service-role/',
      AssumeRolePolicyDocument: role.AssumeRolePolicyDocument,
      MaxSessionDuration: 7200,
      Tags: [{ Key: 'team', Value: 'platform' }],
    });
    expect(fetched!.CreateDate!.toISOString()).toBe(role.CreateDate!.toISOString());
  });

  it('defaults the path to / and the session duration to an hour', async () => {
    const role = await createRole('plain');
    expect(role.Path).toBe('/');
    expect(role.Arn).toBe('arn:aws:iam::111111111111:role/plain');
    expect(role.MaxSessionDuration).toBe(3600);
    expect(role.Tags).toBeUndefined();
    expect(role.Description).toBeUndefined();
  });

  it('stamps CreateDate with the sandbox clock, in whole seconds', async () => {
    await control(sandbox, 'POST', '/clock/advance', { seconds: 86_400 * 3 });
    const role = await createRole('later');
    expect(role.CreateDate!.getTime() - Date.now()).toBeGreaterThan(86_400_000 * 3 - 60_000);
    expect(role.CreateDate!.getMilliseconds()).toBe(0);
  });

  it('keeps role names unique without regard to case, and finds a role by any case', async () => {
    await createRole('DeployRole');
    await expectIamError(createRole('DeployRole'), {
      name: 'EntityAlreadyExistsException',
      status: 409,
      message: 'Role with name DeployRole already exists.',
    });
    await expectIamError(createRole('deployrole'), {
      name: 'EntityAlreadyExistsException',
      status: 409,
      message: 'Role with name deployrole already exists.',
    });
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'DEPLOYROLE' }));
    expect(Role!.RoleName).toBe('DeployRole');
  });

  it('answers GetRole for an unknown role with NoSuchEntity (404)', async () => {
    await expectIamError(iam.send(new GetRoleCommand({ RoleName: 'ghost' })), {
      name: 'NoSuchEntityException',
      status: 404,
      message: 'The role with name ghost cannot be found.',
    });
  });

  it('rejects malformed trust policies with MalformedPolicyDocument', async () => {
    const cases: [string, string][] = [
      ['{"Version": "2012-10-17", "Statement": [', 'Syntax errors in policy.'],
      [
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }),
        'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!',
      ],
      [
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }],
        }),
        'Has prohibited field Resource.',
      ],
    ];
    for (const [document, message] of cases) {
      await expectIamError(createRole('bad-trust', { AssumeRolePolicyDocument: document }), {
        name: 'MalformedPolicyDocumentException',
        status: 400,
        message,
      });
    }
    await expectIamError(iam.send(new GetRoleCommand({ RoleName: 'bad-trust' })), { name: 'NoSuchEntityException', status: 404 });
  });

  it('reports every missing required parameter in one ValidationError', async () => {
    await expectIamError(iam.send(new CreateRoleCommand({} as CreateRoleCommandInput)), {
      name: 'ValidationError',
      status: 400,
      message:
        "2 validation errors detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null",
    });
  });

  it('enforces the role name, path and session duration constraints', async () => {
    await expectIamError(createRole('has space'), {
      name: 'ValidationError',
      status: 400,
      message:
        "1 validation error detected: Value 'has space' at 'roleName' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [\\w+=,.@-]+',
    });
    await expectIamError(createRole('r'.repeat(65)), {
      name: 'ValidationError',
      status: 400,
      message: `1 validation error detected: Value '${'r'.repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    });
    await expectIamError(createRole('ok', { Path: 'no-slashes' }), {
      name: 'ValidationError',
      status: 400,
      message: /Value 'no-slashes' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    });
    await expectIamError(createRole('ok', { MaxSessionDuration: 60 }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    });
    expect((await createRole('a+b=c,d.e@f_g-h')).RoleName).toBe('a+b=c,d.e@f_g-h');
    expect((await createRole('r'.repeat(64))).RoleName).toHaveLength(64);
  });

  it('names a bad tag by its position and refuses duplicate tag keys', async () => {
    await expectIamError(createRole('tagged', { Tags: [{ Key: 'ok', Value: 'fine' }, { Key: 'bad#key', Value: 'v' }] }), {
      name: 'ValidationError',
      status: 400,
      message: /Value 'bad#key' at 'tags\.2\.member\.key' failed to satisfy constraint/,
    });
    await expectIamError(createRole('tagged', { Tags: [{ Key: 'Team', Value: 'a' }, { Key: 'team', Value: 'b' }] }), {
      name: 'InvalidInputException',
      status: 400,
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
  });

  it('limits the trust policy to 2,048 characters, whitespace not counted', async () => {
    const bigTrust = (padding: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: padding, Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
    await expectIamError(createRole('big-trust', { AssumeRolePolicyDocument: bigTrust('x'.repeat(2048)) }), {
      name: 'LimitExceededException',
      status: 409,
      message: 'Cannot exceed quota for ACLSizePerRole: 2048',
    });
    const padded = bigTrust('x').replace(/,/g, `,${' '.repeat(800)}`);
    expect(padded.length).toBeGreaterThan(2048);
    expect((await createRole('padded-trust', { AssumeRolePolicyDocument: padded })).RoleName).toBe('padded-trust');
  });

  it('has no managed policies to use as a permissions boundary', async () => {
    const boundary = 'arn:aws:iam::111111111111:policy/boundary';
    await expectIamError(createRole('bounded', { PermissionsBoundary: boundary }), {
      name: 'NoSuchEntityException',
      status: 404,
      message: `Scope ARN: ${boundary} does not exist or is not attachable.`,
    });
  });
});

describe('ListRoles and DeleteRole', () => {
  it('lists roles in name order, page by page, filtered by path prefix', async () => {
    for (const name of ['charlie', 'Alpha', 'bravo', 'delta']) await createRole(name, name === 'delta' ? { Path: '/team/' } : {});
    const first = await iam.send(new ListRolesCommand({ MaxItems: 3 }));
    expect(first.Roles!.map((role) => role.RoleName)).toEqual(['Alpha', 'bravo', 'charlie']);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toBeTruthy();
    expect(first.Roles![0]!.Tags).toBeUndefined();
    expect(first.Roles![0]!.RoleLastUsed).toBeUndefined();

    const second = await iam.send(new ListRolesCommand({ MaxItems: 3, Marker: first.Marker }));
    expect(second.Roles!.map((role) => role.RoleName)).toEqual(['delta']);
    expect(second.IsTruncated).toBe(false);
    expect(second.Marker).toBeUndefined();

    const team = await iam.send(new ListRolesCommand({ PathPrefix: '/team/' }));
    expect(team.Roles!.map((role) => role.Arn)).toEqual(['arn:aws:iam::111111111111:role/team/delta']);
  });

  it('returns an empty list when there are no roles', async () => {
    const { Roles, IsTruncated } = await iam.send(new ListRolesCommand({}));
    expect(Roles).toEqual([]);
    expect(IsTruncated).toBe(false);
  });

  it('refuses to delete a role that still has inline policies, then deletes it once they are gone', async () => {
    await createRole('doomed');
    await putPolicy('doomed', 'use-connection');
    await expectIamError(iam.send(new DeleteRoleCommand({ RoleName: 'doomed' })), {
      name: 'DeleteConflictException',
      status: 409,
      message: 'Cannot delete entity, must delete policies first.',
    });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'doomed', PolicyName: 'use-connection' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'DOOMED' }));
    await expectIamError(iam.send(new GetRoleCommand({ RoleName: 'doomed' })), { name: 'NoSuchEntityException', status: 404 });
    await expectIamError(iam.send(new DeleteRoleCommand({ RoleName: 'doomed' })), {
      name: 'NoSuchEntityException',
      status: 404,
      message: 'The role with name doomed cannot be found.',
    });
  });
});

describe('inline role policies', () => {
  it('returns the document exactly as put, URL-encoded as IAM does', async () => {
    await createRole('pipeline-role');
    const document = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Sid": "Use & abuse <carefully> 100% + more", "Effect": "Allow", "Action": ["codestar-connections:UseConnection"], "Resource": "*" }
  ]
}`;
    await putPolicy('pipeline-role', 'use-connection', document);
    const result = await iam.send(new GetRolePolicyCommand({ RoleName: 'PIPELINE-ROLE', PolicyName: 'use-connection' }));
    expect(result.RoleName).toBe('pipeline-role');
    expect(result.PolicyName).toBe('use-connection');
    expect(result.PolicyDocument).toMatch(/^%7B%0A%20%20%22Version%22/);
    expect(result.PolicyDocument).not.toMatch(/[{}"\s&<>+]/);
    expect(decodeURIComponent(result.PolicyDocument!)).toBe(document);
  });

  it('carries the encoded document in the XML itself', async () => {
    await createRole('pipeline-role');
    await putPolicy('pipeline-role', 'p1');
    const { status, body } = await rawQuery({ Action: 'GetRolePolicy', RoleName: 'pipeline-role', PolicyName: 'p1' });
    expect(status).toBe(200);
    expect(body).toContain('<GetRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRolePolicyResult>');
    expect(body).toContain(`<PolicyDocument>${encodeURIComponent(USE_CONNECTION)}</PolicyDocument>`);
    expect(body).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/);
  });

  it('answers with an XML ErrorResponse carrying Type, Code and Message', async () => {
    const { status, body } = await rawQuery({ Action: 'GetRole', RoleName: 'ghost' });
    expect(status).toBe(404);
    expect(body).toContain(
      '<Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name ghost cannot be found.</Message></Error>',
    );
  });

  it('replaces a policy put again under the same name', async () => {
    await createRole('pipeline-role');
    await putPolicy('pipeline-role', 'p1');
    const replacement = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 's3:*', Resource: '*' } });
    await putPolicy('pipeline-role', 'p1', replacement);
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: 'pipeline-role', PolicyName: 'p1' }));
    expect(decodeURIComponent(PolicyDocument!)).toBe(replacement);
    const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName: 'pipeline-role' }));
    expect(PolicyNames).toEqual(['p1']);
  });

  it('rejects malformed policy documents with IAM messages', async () => {
    await createRole('pipeline-role');
    const statement = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
    const cases: [unknown, string][] = [
      ['not json at all', 'Syntax errors in policy.'],
      [{ Version: '2012-10-17' }, 'Syntax errors in policy.'],
      [{ Version: '2012-10-17', Statement: [] }, 'Syntax errors in policy.'],
      [{ Version: '2013-01-01', Statement: [statement] }, 'Syntax errors in policy.'],
      [{ Version: '2012-10-17', Statement: [{ ...statement, Color: 'blue' }] }, 'Syntax errors in policy.'],
      [{ Version: '2012-10-17', Statement: [{ ...statement, Effect: 'allow' }] }, 'The policy failed legacy parsing'],
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'Policy statement must contain actions.'],
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }, 'Policy statement must contain actions.'],
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject' }] }, 'Policy statement must contain resources.'],
      [{ Version: '2012-10-17', Statement: [{ ...statement, Principal: '*' }] }, 'Policy document should not specify a principal.'],
      [
        { Version: '2012-10-17', Statement: [{ ...statement, Sid: 'a' }, { ...statement, Sid: 'a' }] },
        'Statement IDs (SID) in a single policy must be unique.',
      ],
      [{ Version: '2012-10-17', Statement: [{ ...statement, Action: 'GetObject' }] }, 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
      [{ Version: '2012-10-17', Statement: [{ ...statement, Resource: 'bucket' }] }, 'Resource bucket must be in ARN format or "*".'],
    ];
    for (const [document, message] of cases) {
      const text = typeof document === 'string' ? document : JSON.stringify(document);
      await expectIamError(putPolicy('pipeline-role', 'p1', text), { name: 'MalformedPolicyDocumentException', status: 400, message });
    }
    const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName: 'pipeline-role' }));
    expect(PolicyNames).toEqual([]);
  });

  it('accepts a document without Version and with a single Statement object, as inline policies may be', async () => {
    await createRole('pipeline-role');
    await putPolicy('pipeline-role', 'legacy', JSON.stringify({ Statement: { Effect: 'Allow', NotAction: 'iam:*', NotResource: '*' } }));
    const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName: 'pipeline-role' }));
    expect(PolicyNames).toEqual(['legacy']);
  });

  it("limits a role's inline policies to 10,240 characters in all, whitespace not counted", async () => {
    await createRole('pipeline-role');
    const sized = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    const overhead = sized('').length;
    await putPolicy('pipeline-role', 'first', sized('a'.repeat(6000 - overhead)));
    await expectIamError(putPolicy('pipeline-role', 'second', sized('b'.repeat(4300 - overhead))), {
      name: 'LimitExceededException',
      status: 409,
      message: 'Maximum policy size of 10240 bytes exceeded for role pipeline-role',
    });
    // Exactly at the quota is allowed; whitespace is free.
    const fitting = sized('b'.repeat(4240 - overhead)).replace(/,/g, `,${'\n '.repeat(500)}`);
    await putPolicy('pipeline-role', 'second', fitting);
    // Replacing a policy counts its new size, not old + new.
    await putPolicy('pipeline-role', 'first', sized('c'.repeat(6000 - overhead)));
    const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName: 'pipeline-role' }));
    expect(PolicyNames).toEqual(['first', 'second']);
  });

  it('enforces the policy name and document constraints', async () => {
    await createRole('pipeline-role');
    await expectIamError(putPolicy('pipeline-role', 'no/slash'), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'no/slash' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    });
    await expectIamError(putPolicy('pipeline-role', 'p'.repeat(129)), {
      name: 'ValidationError',
      status: 400,
      message: /at 'policyName' failed to satisfy constraint: Member must have length less than or equal to 128$/,
    });
    await expectIamError(iam.send(new PutRolePolicyCommand({ RoleName: 'pipeline-role', PolicyName: 'p1' } as never)), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null",
    });
    const nonLatin = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ユニコード', Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    await expectIamError(putPolicy('pipeline-role', 'p1', nonLatin), {
      name: 'ValidationError',
      status: 400,
      message: /at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\u0009\\u000A\\u000D\\u0020-\\u00FF\]\+$/,
    });
  });

  it('answers NoSuchEntity for a missing role or policy', async () => {
    await expectIamError(putPolicy('ghost', 'p1'), { name: 'NoSuchEntityException', status: 404, message: 'The role with name ghost cannot be found.' });
    await expectIamError(iam.send(new GetRolePolicyCommand({ RoleName: 'ghost', PolicyName: 'p1' })), {
      name: 'NoSuchEntityException',
      status: 404,
      message: 'The role with name ghost cannot be found.',
    });
    await expectIamError(iam.send(new ListRolePoliciesCommand({ RoleName: 'ghost' })), { name: 'NoSuchEntityException', status: 404 });
    await createRole('pipeline-role');
    await expectIamError(iam.send(new GetRolePolicyCommand({ RoleName: 'pipeline-role', PolicyName: 'p1' })), {
      name: 'NoSuchEntityException',
      status: 404,
      message: 'The role policy with name p1 cannot be found.',
    });
    await expectIamError(iam.send(new DeleteRolePolicyCommand({ RoleName: 'pipeline-role', PolicyName: 'p1' })), {
      name: 'NoSuchEntityException',
      status: 404,
      message: 'The role policy with name p1 cannot be found.',
    });
  });

  it('deletes a policy, after which it is gone', async () => {
    await createRole('pipeline-role');
    await putPolicy('pipeline-role', 'p1');
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'pipeline-role', PolicyName: 'p1' }));
    await expectIamError(iam.send(new GetRolePolicyCommand({ RoleName: 'pipeline-role', PolicyName: 'p1' })), {
      name: 'NoSuchEntityException',
      status: 404,
    });
  });

  it('lists policy names in order, page by page', async () => {
    await createRole('pipeline-role');
    for (const name of ['delta', 'alpha', 'echo', 'charlie', 'bravo']) await putPolicy('pipeline-role', name);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam.send(new ListRolePoliciesCommand({ RoleName: 'pipeline-role', MaxItems: 2, Marker: marker }));
      seen.push(...page.PolicyNames!);
      expect(page.IsTruncated).toBe(page.Marker !== undefined);
      marker = page.Marker;
      pages++;
    } while (marker);
    expect(pages).toBe(3);
    expect(seen).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);

    const all = await iam.send(new ListRolePoliciesCommand({ RoleName: 'pipeline-role' }));
    expect(all).toMatchObject({ PolicyNames: seen, IsTruncated: false });
    expect(all.Marker).toBeUndefined();
  });

  it('validates MaxItems and Marker', async () => {
    await createRole('pipeline-role');
    await expectIamError(iam.send(new ListRolePoliciesCommand({ RoleName: 'pipeline-role', MaxItems: 0 })), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
    await expectIamError(iam.send(new ListRolePoliciesCommand({ RoleName: 'pipeline-role', MaxItems: 1001 })), {
      name: 'ValidationError',
      status: 400,
      message: /Member must have value less than or equal to 1000$/,
    });
    await expectIamError(iam.send(new ListRolePoliciesCommand({ RoleName: 'pipeline-role', Marker: 'made-up' })), {
      name: 'ValidationError',
      status: 400,
    });
  });
});

describe('fault injection', () => {
  it('throttles IAM calls the way IAM does', async () => {
    await createRole('pipeline-role');
    await control(sandbox, 'PUT', '/faults', { service: 'iam', operation: 'GetRole', throttleRate: 1 });
    await expectIamError(iam.send(new GetRoleCommand({ RoleName: 'pipeline-role' })), {
      name: 'Throttling',
      status: 400,
      message: 'Rate exceeded',
    });
    // Only the named operation is affected.
    await iam.send(new ListRolePoliciesCommand({ RoleName: 'pipeline-role' }));
    const { calls } = await control<{ calls: { service: string; operation: string; throttled: number }[] }>(sandbox, 'GET', '/calls');
    expect(calls.find((call) => call.service === 'iam' && call.operation === 'GetRole')?.throttled).toBe(1);
  });

  it('fails IAM calls with ServiceFailure (500)', async () => {
    await control(sandbox, 'PUT', '/faults', { service: 'iam', operation: '*', errorRate: 1 });
    await expectIamError(iam.send(new ListRolesCommand({})), { name: 'ServiceFailureException', status: 500 });
  });
});

describe('control routes', () => {
  it('seeds a role trusted by CodePipeline, with inline policies', async () => {
    const { role } = await control<{ role: { name: string; arn: string; policies: string[] } }>(sandbox, 'POST', '/roles', {
      roleName: 'seeded',
      inlinePolicies: { 'use-connection': JSON.parse(USE_CONNECTION) as unknown, raw: USE_CONNECTION },
    });
    expect(role).toEqual({ name: 'seeded', arn: 'arn:aws:iam::111111111111:role/seeded', policies: ['use-connection', 'raw'] });

    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'seeded' }));
    const trust = JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!)) as { Statement: { Principal: unknown }[] };
    expect(trust.Statement[0]!.Principal).toEqual({ Service: 'codepipeline.amazonaws.com' });
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: 'seeded', PolicyName: 'raw' }));
    expect(decodeURIComponent(PolicyDocument!)).toBe(USE_CONNECTION);
  });

  it('seeds into the account named by ?account=, which a twelve-digit access key reaches', async () => {
    await control(sandbox, 'POST', '/roles?account=222222222222', { roleName: 'elsewhere' });
    await expectIamError(iam.send(new GetRoleCommand({ RoleName: 'elsewhere' })), { name: 'NoSuchEntityException', status: 404 });
    const other = new IAMClient({ ...clientConfig(sandbox), credentials: { accessKeyId: '222222222222', secretAccessKey: 'test' } });
    try {
      const { Role } = await other.send(new GetRoleCommand({ RoleName: 'elsewhere' }));
      expect(Role!.Arn).toBe('arn:aws:iam::222222222222:role/elsewhere');
    } finally {
      other.destroy();
    }
  });

  it('rejects bad seed bodies with a 400 naming the field, and leaves nothing half made', async () => {
    expect(await controlFailure('POST', '/roles', {})).toMatchObject({ status: 400, error: { details: [{ path: 'roleName' }] } });
    expect(await controlFailure('POST', '/roles', { roleName: 'bad name' })).toMatchObject({
      status: 400,
      error: { details: [{ path: 'roleName' }] },
    });
    expect(await controlFailure('POST', '/roles', { roleName: 'r', inlinePolicies: ['nope'] })).toMatchObject({
      status: 400,
      error: { details: [{ path: 'inlinePolicies' }] },
    });
    const malformed = await controlFailure('POST', '/roles', {
      roleName: 'half-made',
      inlinePolicies: { good: USE_CONNECTION, bad: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] } },
    });
    expect(malformed).toMatchObject({
      status: 400,
      error: { code: 'MalformedPolicyDocument', message: expect.stringContaining('must contain actions'), details: [{ path: 'inlinePolicies.bad' }] },
    });
    expect(
      await controlFailure('POST', '/roles', {
        roleName: 'r',
        assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] },
      }),
    ).toMatchObject({ status: 400, error: { code: 'MalformedPolicyDocument', details: [{ path: 'assumeRolePolicyDocument' }] } });
    expect(await controlFailure('POST', '/roles', { roleName: 'r', assumeRolePolicyDocument: 42 })).toMatchObject({
      status: 400,
      error: { details: [{ path: 'assumeRolePolicyDocument' }] },
    });
    await expectIamError(iam.send(new GetRoleCommand({ RoleName: 'half-made' })), { name: 'NoSuchEntityException', status: 404 });

    await control(sandbox, 'POST', '/roles', { roleName: 'twice' });
    expect(await controlFailure('POST', '/roles', { roleName: 'TWICE' })).toMatchObject({ status: 409, error: { code: 'EntityAlreadyExists' } });
  });

  it('removes a permission behind the role owner’s back (drift)', async () => {
    await control(sandbox, 'POST', '/roles', { roleName: 'drifting', inlinePolicies: { keep: USE_CONNECTION, lose: USE_CONNECTION } });
    const { role } = await control<{ role: { policies: string[] } }>(sandbox, 'DELETE', '/roles/drifting/policies/lose');
    expect(role.policies).toEqual(['keep']);
    const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName: 'drifting' }));
    expect(PolicyNames).toEqual(['keep']);

    expect(await controlFailure('DELETE', '/roles/drifting/policies/lose')).toMatchObject({
      status: 404,
      error: { code: 'NoSuchEntity', details: [{ path: 'policyName' }] },
    });
    expect(await controlFailure('DELETE', '/roles/ghost/policies/keep')).toMatchObject({
      status: 404,
      error: { code: 'NoSuchEntity', details: [{ path: 'name' }] },
    });
  });

  it('shows roles and their policies in the inventory, per account', async () => {
    await createRole('api-made');
    await putPolicy('api-made', 'use-connection');
    await control(sandbox, 'POST', '/roles?account=222222222222', { roleName: 'seeded' });
    const state = await control<{ iam: Record<string, { roles: { name: string; policies: string[] }[] }> }>(sandbox, 'GET', '/state');
    expect(state.iam).toEqual({
      '111111111111': { roles: [{ name: 'api-made', arn: 'arn:aws:iam::111111111111:role/api-made', policies: ['use-connection'] }] },
      '222222222222': { roles: [{ name: 'seeded', arn: 'arn:aws:iam::222222222222:role/seeded', policies: [] }] },
    });
  });

  it('lists its routes in the control API index', async () => {
    const { routes } = await control<{ routes: { method: string; path: string }[] }>(sandbox, 'GET', '/');
    expect(routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'POST', path: '/_sandbox/roles' }),
        expect.objectContaining({ method: 'DELETE', path: '/_sandbox/roles/:name/policies/:policyName' }),
      ]),
    );
  });
});

describe('persistence', () => {
  it('keeps roles and inline policies across a sandbox restart', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'iam-sandbox-'));
    const statePath = join(directory, 'state.json');
    try {
      const first = await startTestSandbox({ statePath });
      const firstClient = new IAMClient(clientConfig(first));
      const { Role } = await firstClient.send(
        new CreateRoleCommand({ RoleName: 'durable', AssumeRolePolicyDocument: TRUST_POLICY, Tags: [{ Key: 'k', Value: 'v' }] }),
      );
      await firstClient.send(new PutRolePolicyCommand({ RoleName: 'durable', PolicyName: 'p1', PolicyDocument: USE_CONNECTION }));
      firstClient.destroy();
      await first.close();

      const second = await startTestSandbox({ statePath });
      const secondClient = new IAMClient(clientConfig(second));
      try {
        const { Role: restored } = await secondClient.send(new GetRoleCommand({ RoleName: 'durable' }));
        expect(restored).toMatchObject({ RoleId: Role!.RoleId, Arn: Role!.Arn, Tags: [{ Key: 'k', Value: 'v' }] });
        const { PolicyDocument } = await secondClient.send(new GetRolePolicyCommand({ RoleName: 'durable', PolicyName: 'p1' }));
        expect(decodeURIComponent(PolicyDocument!)).toBe(USE_CONNECTION);
      } finally {
        secondClient.destroy();
        await second.close();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
