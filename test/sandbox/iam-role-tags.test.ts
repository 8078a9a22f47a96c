import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListRoleTagsCommand,
  TagRoleCommand,
  UntagRoleCommand,
  type Tag,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { clientConfig, control, useTestSandbox, TRUST_POLICY } from '../helpers/sandbox.ts';

/**
 * Role tags through the real `@aws-sdk/client-iam` client: ListRoleTags, TagRole and UntagRole
 * with IAM's limits and errors, the control API's `tags`, and the tags as IAM's authorisation sees
 * them (aws:ResourceTag on the role, aws:RequestTag and aws:TagKeys on the request).
 */

let sandbox: Sandbox;
let iam: IAMClient;

useTestSandbox((started) => {
  sandbox = started;
  iam = new IAMClient(clientConfig(started));
  return iam;
});


async function createRole(roleName: string, Tags?: Tag[]) {
  await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: TRUST_POLICY, Tags }));
}

const tagsOf = async (roleName: string) => (await iam.send(new ListRoleTagsCommand({ RoleName: roleName }))).Tags;

async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  const error = (await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (caught: unknown) => caught,
  )) as { name: string; message: string; $metadata: { httpStatusCode?: number } };
  return { name: error.name, message: error.message, status: error.$metadata.httpStatusCode };
}

/** A raw query-protocol call, to see IAM's XML itself. */
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

const manyTags = (count: number, prefix = 'k') => Array.from({ length: count }, (_, index) => ({ Key: `${prefix}${String(index).padStart(2, '0')}`, Value: 'v' }));

describe('ListRoleTags', () => {
  it('lists the tags CreateRole gave, sorted by key, and an empty list for an untagged role', async () => {
    await createRole('tagged', [
      { Key: 'team', Value: 'payments' },
      { Key: 'managed-by', Value: 'platform' },
      { Key: 'Cost', Value: '' },
    ]);
    const listed = await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }));
    expect(listed.Tags).toEqual([
      { Key: 'Cost', Value: '' },
      { Key: 'managed-by', Value: 'platform' },
      { Key: 'team', Value: 'payments' },
    ]);
    expect(listed.IsTruncated).toBe(false);
    expect(listed.Marker).toBeUndefined();

    await createRole('bare');
    expect(await tagsOf('bare')).toEqual([]);
  });

  it("answers in IAM's XML: ListRoleTagsResult with a Tags member list and IsTruncated", async () => {
    await createRole('tagged', [{ Key: 'team', Value: 'payments' }]);
    const { status, body } = await rawQuery({ Action: 'ListRoleTags', RoleName: 'tagged' });
    expect(status).toBe(200);
    expect(body).toMatch(
      /^<ListRoleTagsResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><ListRoleTagsResult><Tags><member><Key>team<\/Key><Value>payments<\/Value><\/member><\/Tags><IsTruncated>false<\/IsTruncated><\/ListRoleTagsResult><ResponseMetadata><RequestId>[^<]+<\/RequestId><\/ResponseMetadata><\/ListRoleTagsResponse>$/,
    );
    const tagged = await rawQuery({ Action: 'TagRole', RoleName: 'tagged', 'Tags.member.1.Key': 'a', 'Tags.member.1.Value': 'b' });
    // An operation that returns nothing has no Result element.
    expect(tagged.body).toMatch(/^<TagRoleResponse xmlns="[^"]+"><ResponseMetadata><RequestId>[^<]+<\/RequestId><\/ResponseMetadata><\/TagRoleResponse>$/);
  });

  it('pages with MaxItems and Marker', async () => {
    await createRole('many', manyTags(5));
    const first = await iam.send(new ListRoleTagsCommand({ RoleName: 'many', MaxItems: 2 }));
    expect(first.Tags!.map((tag) => tag.Key)).toEqual(['k00', 'k01']);
    expect(first.IsTruncated).toBe(true);
    const rest = await iam.send(new ListRoleTagsCommand({ RoleName: 'many', MaxItems: 10, Marker: first.Marker }));
    expect(rest.Tags!.map((tag) => tag.Key)).toEqual(['k02', 'k03', 'k04']);
    expect(rest.IsTruncated).toBe(false);
    expect(await failure(iam.send(new ListRoleTagsCommand({ RoleName: 'many', MaxItems: 0 })))).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(await failure(iam.send(new ListRoleTagsCommand({ RoleName: 'many', Marker: 'not-a-marker' })))).toMatchObject({ name: 'ValidationError', status: 400 });
  });
});

describe('TagRole and UntagRole', () => {
  it('adds tags, replaces the value of a key the role has without regard to case, and removes keys', async () => {
    await createRole('pipeline', [{ Key: 'Team', Value: 'search' }]);
    await iam.send(new TagRoleCommand({ RoleName: 'PIPELINE', Tags: [{ Key: 'connection-broker:team', Value: 'payments' }] }));
    await iam.send(new TagRoleCommand({ RoleName: 'pipeline', Tags: [{ Key: 'team', Value: 'payments' }] }));
    expect(await tagsOf('pipeline')).toEqual([
      { Key: 'connection-broker:team', Value: 'payments' },
      { Key: 'team', Value: 'payments' },
    ]);
    // GetRole shows the same tags.
    expect((await iam.send(new GetRoleCommand({ RoleName: 'pipeline' }))).Role!.Tags).toEqual([
      { Key: 'team', Value: 'payments' },
      { Key: 'connection-broker:team', Value: 'payments' },
    ]);

    // Keys are matched without regard to case; a key the role does not have is no error.
    await iam.send(new UntagRoleCommand({ RoleName: 'pipeline', TagKeys: ['TEAM', 'never-set'] }));
    expect(await tagsOf('pipeline')).toEqual([{ Key: 'connection-broker:team', Value: 'payments' }]);
    await iam.send(new UntagRoleCommand({ RoleName: 'pipeline', TagKeys: ['connection-broker:team'] }));
    expect(await tagsOf('pipeline')).toEqual([]);
  });

  it('answers NoSuchEntity (404) for a role that does not exist', async () => {
    const missing = { name: 'NoSuchEntityException', status: 404, message: 'The role with name ghost cannot be found.' };
    expect(await failure(iam.send(new ListRoleTagsCommand({ RoleName: 'ghost' })))).toEqual(missing);
    expect(await failure(iam.send(new TagRoleCommand({ RoleName: 'ghost', Tags: [{ Key: 'a', Value: 'b' }] })))).toEqual(missing);
    expect(await failure(iam.send(new UntagRoleCommand({ RoleName: 'ghost', TagKeys: ['a'] })))).toEqual(missing);
  });

  it('holds a role to 50 tags, counting what it would end up with, and changes nothing when refused', async () => {
    await createRole('full', manyTags(49));
    await iam.send(new TagRoleCommand({ RoleName: 'full', Tags: [{ Key: 'k50', Value: 'v' }] }));
    expect(await tagsOf('full')).toHaveLength(50);
    // Replacing a value at the quota is fine; one more key is not.
    await iam.send(new TagRoleCommand({ RoleName: 'full', Tags: [{ Key: 'K00', Value: 'replaced' }] }));
    expect(
      await failure(
        iam.send(
          new TagRoleCommand({
            RoleName: 'full',
            Tags: [
              { Key: 'k01', Value: 'changed' },
              { Key: 'one-more', Value: 'v' },
            ],
          }),
        ),
      ),
    ).toEqual({ name: 'LimitExceededException', status: 409, message: 'Cannot exceed quota for TagsPerRole: 50' });
    const tags = await tagsOf('full');
    expect(tags).toHaveLength(50);
    expect(tags).toContainEqual({ Key: 'K00', Value: 'replaced' });
    expect(tags).toContainEqual({ Key: 'k01', Value: 'v' });

    // More than 50 in one request breaks the request's own constraint.
    await createRole('empty');
    expect(await failure(iam.send(new TagRoleCommand({ RoleName: 'empty', Tags: manyTags(51) })))).toMatchObject({
      name: 'ValidationError',
      status: 400,
      message: expect.stringContaining("at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"),
    });
    expect(await tagsOf('empty')).toEqual([]);
  });

  it('enforces key 1-128 and value 0-256 characters of the allowed set, unique keys, and no aws: prefix', async () => {
    await createRole('r');
    const tag = (Tags: Tag[]) => failure(iam.send(new TagRoleCommand({ RoleName: 'r', Tags })));
    expect(await tag([{ Key: 'k'.repeat(129), Value: 'v' }])).toMatchObject({
      name: 'ValidationError',
      status: 400,
      message: expect.stringMatching(/^1 validation error detected: Value 'k{129}' at 'tags\.1\.member\.key' failed to satisfy constraint: Member must have length less than or equal to 128$/),
    });
    expect(await tag([{ Key: 'ok', Value: 'v'.repeat(257) }])).toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining("at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"),
    });
    expect(await tag([{ Key: '', Value: 'v' }])).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('greater than or equal to 1') });
    expect(await tag([{ Key: 'bad#key', Value: 'v' }])).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('regular expression pattern') });
    expect(await tag([{ Key: 'Team', Value: 'a' }, { Key: 'team', Value: 'b' }])).toEqual({
      name: 'InvalidInputException',
      status: 400,
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
    expect(await tag([{ Key: 'AWS:team', Value: 'a' }])).toMatchObject({ name: 'InvalidInputException', status: 400 });
    expect(await tag([{ Key: 'team', Value: 'aws:payments' }])).toMatchObject({ name: 'InvalidInputException', status: 400 });
    expect(await failure(createRole('reserved', [{ Key: 'aws:team', Value: 'a' }]))).toMatchObject({ name: 'InvalidInputException', status: 400 });
    expect(await tagsOf('r')).toEqual([]);

    // The longest key and value, and an empty value, are allowed.
    await iam.send(new TagRoleCommand({ RoleName: 'r', Tags: [{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }, { Key: 'empty', Value: '' }] }));
    expect(await tagsOf('r')).toHaveLength(2);

    const untag = (TagKeys: string[]) => failure(iam.send(new UntagRoleCommand({ RoleName: 'r', TagKeys })));
    expect(await untag(['k'.repeat(129)])).toMatchObject({ name: 'ValidationError', message: expect.stringContaining("at 'tagKeys.1.member'") });
    expect(await untag(manyTags(51).map((each) => each.Key))).toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining("at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50"),
    });
    expect(await failure(iam.send(new TagRoleCommand({ RoleName: 'r' } as never)))).toMatchObject({
      name: 'ValidationError',
      message: "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
    });
  });
});

describe('the control API', () => {
  it('seeds a role with tags, held to the same rules', async () => {
    await control(sandbox, 'POST', '/roles', { roleName: 'seeded', tags: { 'connection-broker:team': 'payments', 'managed-by': 'platform' } });
    expect(await tagsOf('seeded')).toEqual([
      { Key: 'connection-broker:team', Value: 'payments' },
      { Key: 'managed-by', Value: 'platform' },
    ]);

    const seed = async (tags: unknown) => {
      const response = await fetch(`${sandbox.url}/_sandbox/roles`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ roleName: 'bad-tags', tags }),
      });
      return { status: response.status, error: ((await response.json()) as { error: { code: string; details: { path: string }[] } }).error };
    };
    expect(await seed(['team'])).toMatchObject({ status: 400, error: { details: [{ path: 'tags' }] } });
    expect(await seed({ team: 7 })).toMatchObject({ status: 400, error: { details: [{ path: 'tags' }] } });
    expect(await seed({ 'bad#key': 'v' })).toMatchObject({ status: 400, error: { code: 'ValidationError', details: [{ path: 'tags' }] } });
    expect(await seed({ Team: 'a', team: 'b' })).toMatchObject({ status: 400, error: { code: 'InvalidInput' } });
    expect(await seed({ 'aws:team': 'a' })).toMatchObject({ status: 400, error: { code: 'InvalidInput' } });
    expect(await seed(Object.fromEntries(manyTags(51).map(({ Key, Value }) => [Key, Value])))).toMatchObject({ status: 400 });
    expect(await failure(iam.send(new GetRoleCommand({ RoleName: 'bad-tags' })))).toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('authorisation of role tagging', () => {
  const PLATFORM = { accessKeyId: 'ASIAPLATFORM00000001', secretAccessKey: 'x', sessionToken: 'y' };

  it('authorises on the role ARN with its tags, the request tags and the tag keys', async () => {
    sandbox.authorizer.register({
      accessKeyId: PLATFORM.accessKeyId,
      arn: 'arn:aws:sts::111111111111:assumed-role/platform/session',
      accountId: '111111111111',
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'iam:ListRoleTags', Resource: 'arn:aws:iam::111111111111:role/pipelines/*' },
            {
              Effect: 'Allow',
              Action: ['iam:TagRole', 'iam:UntagRole'],
              Resource: 'arn:aws:iam::111111111111:role/*',
              Condition: {
                StringEquals: { 'aws:ResourceTag/managed-by': 'platform' },
                'ForAllValues:StringEquals': { 'aws:TagKeys': ['connection-broker:team'] },
              },
            },
          ],
        },
      ],
    });
    await iam.send(new CreateRoleCommand({ RoleName: 'app', Path: '/pipelines/', AssumeRolePolicyDocument: TRUST_POLICY, Tags: [{ Key: 'managed-by', Value: 'platform' }] }));
    await createRole('other');
    const platform = new IAMClient({ ...clientConfig(sandbox), credentials: PLATFORM });
    try {
      expect(await platform.send(new ListRoleTagsCommand({ RoleName: 'app' }))).toMatchObject({ Tags: [{ Key: 'managed-by', Value: 'platform' }] });
      const teamTag = [{ Key: 'connection-broker:team', Value: 'payments' }];
      await platform.send(new TagRoleCommand({ RoleName: 'app', Tags: teamTag }));
      await platform.send(new UntagRoleCommand({ RoleName: 'app', TagKeys: ['connection-broker:team'] }));

      const denied = { name: 'AccessDenied', status: 403 };
      expect(await failure(platform.send(new ListRoleTagsCommand({ RoleName: 'other' })))).toMatchObject({
        ...denied,
        message: expect.stringContaining('iam:ListRoleTags on resource: arn:aws:iam::111111111111:role/other'),
      });
      // A role without managed-by=platform, and a tag key the policy does not name.
      expect(await failure(platform.send(new TagRoleCommand({ RoleName: 'other', Tags: teamTag })))).toMatchObject(denied);
      expect(await failure(platform.send(new TagRoleCommand({ RoleName: 'app', Tags: [{ Key: 'managed-by', Value: 'me' }] })))).toMatchObject(denied);
      expect(await failure(platform.send(new UntagRoleCommand({ RoleName: 'app', TagKeys: ['managed-by'] })))).toMatchObject(denied);
      expect(await tagsOf('app')).toEqual([{ Key: 'managed-by', Value: 'platform' }]);
    } finally {
      platform.destroy();
      sandbox.authorizer.replacePolicies(PLATFORM.accessKeyId, []);
    }
  });
});
