import { describe, expect, it } from 'vitest';
import { refusalMessage } from '../../infra/local/sandbox/authorization/authorizer.ts';
import { requirementsFor, VPC_HOST_EC2_ACTIONS, type CallFacts, type ResourceFacts } from '../../infra/local/sandbox/authorization/catalogue.ts';
import { evaluate } from '../../infra/local/sandbox/authorization/policy-evaluation.ts';

const HOST = 'arn:aws:codestar-connections:us-east-1:111111111111:host/ghe-1a2b3c4d';
const CONSOLE_CONNECTION = 'arn:aws:codeconnections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';

const policy = (...Statement: Record<string, unknown>[]) => ({ Version: '2012-10-17', Statement });

describe('policy evaluation', () => {
  it('allows only what a statement matches by action and resource, with wildcards', () => {
    const documents = [policy({ Effect: 'Allow', Action: 'codestar-connections:Get*', Resource: 'arn:aws:codestar-connections:us-east-1:111111111111:host/*' })];
    expect(evaluate(documents, { action: 'codestar-connections:GetHost', resource: HOST, context: {} })).toBe('allow');
    expect(evaluate(documents, { action: 'CODESTAR-CONNECTIONS:gethost', resource: HOST, context: {} })).toBe('allow');
    expect(evaluate(documents, { action: 'codestar-connections:DeleteHost', resource: HOST, context: {} })).toBe('implicit-deny');
    expect(evaluate(documents, { action: 'codestar-connections:GetHost', resource: HOST.toUpperCase(), context: {} })).toBe('implicit-deny');
  });

  it('lets an explicit Deny win over any Allow, and honours NotAction and NotResource', () => {
    const documents = [
      policy({ Effect: 'Allow', Action: '*', Resource: '*' }),
      policy({ Effect: 'Deny', NotAction: 'iam:Get*', Resource: 'arn:aws:iam::111111111111:role/connection-broker-*' }),
      policy({ Effect: 'Deny', Action: 'codepipeline:UpdatePipeline', NotResource: 'arn:aws:codepipeline:us-east-1:111111111111:app-*' }),
    ];
    expect(evaluate(documents, { action: 'iam:PutRolePolicy', resource: 'arn:aws:iam::111111111111:role/connection-broker-api', context: {} })).toBe('explicit-deny');
    expect(evaluate(documents, { action: 'iam:GetRolePolicy', resource: 'arn:aws:iam::111111111111:role/connection-broker-api', context: {} })).toBe('allow');
    expect(evaluate(documents, { action: 'codepipeline:UpdatePipeline', resource: 'arn:aws:codepipeline:us-east-1:111111111111:billing', context: {} })).toBe('explicit-deny');
    expect(evaluate(documents, { action: 'codepipeline:UpdatePipeline', resource: 'arn:aws:codepipeline:us-east-1:111111111111:app-web', context: {} })).toBe('allow');
  });

  it('requires every condition, and a missing key fails all but the negated, IfExists and Null operators', () => {
    const createTagged = policy({
      Effect: 'Allow',
      Action: 'codestar-connections:CreateHost',
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestTag/managed-by': 'connection-broker' }, 'ForAllValues:StringLike': { 'aws:TagKeys': ['managed-by', 'request-*'] } },
    });
    const create = (context: Record<string, string | string[]>) => evaluate([createTagged], { action: 'codestar-connections:CreateHost', resource: '*', context });
    expect(create({ 'aws:RequestTag/managed-by': 'connection-broker', 'aws:TagKeys': ['managed-by', 'request-id'] })).toBe('allow');
    expect(create({ 'aws:RequestTag/managed-by': 'someone-else', 'aws:TagKeys': ['managed-by'] })).toBe('implicit-deny');
    expect(create({ 'aws:RequestTag/managed-by': 'connection-broker', 'aws:TagKeys': ['managed-by', 'owner'] })).toBe('implicit-deny');
    expect(create({})).toBe('implicit-deny');
    // Tag keys after the slash are case-sensitive; the key's name is not.
    expect(create({ 'AWS:RequestTag/managed-by': 'connection-broker' })).toBe('allow');
    expect(create({ 'aws:RequestTag/Managed-By': 'connection-broker' })).toBe('implicit-deny');

    const negated = (operator: string) => policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { [operator]: { 'aws:ResourceTag/team': 'payments' } } });
    const read = (operator: string, context: Record<string, string>) => evaluate([negated(operator)], { action: 's3:GetObject', resource: '*', context });
    expect(read('StringNotEquals', {})).toBe('allow');
    expect(read('StringNotEquals', { 'aws:ResourceTag/team': 'payments' })).toBe('implicit-deny');
    expect(read('StringEqualsIfExists', {})).toBe('allow');
    expect(read('StringEqualsIfExists', { 'aws:ResourceTag/team': 'web' })).toBe('implicit-deny');
    expect(read('UnknownOperator', { 'aws:ResourceTag/team': 'payments' })).toBe('implicit-deny');
    const absent = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { Null: { 'aws:ResourceTag/team': 'true' } } });
    expect(evaluate([absent], { action: 's3:GetObject', resource: '*', context: {} })).toBe('allow');
    expect(evaluate([absent], { action: 's3:GetObject', resource: '*', context: { 'aws:ResourceTag/team': 'web' } })).toBe('implicit-deny');
  });

  it('reads documents as IAM hands them out (URL-encoded JSON)', () => {
    const encoded = encodeURIComponent(JSON.stringify(policy({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' })));
    expect(evaluate([encoded], { action: 'iam:GetRole', resource: 'arn:aws:iam::111111111111:role/x', context: {} })).toBe('allow');
  });
});

describe('policy variables', () => {
  const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/5d3c0f7e-8a61-4a8e-b0c4-2f1e9d7a6b55';
  // The tag-based grant the platform installs on each pipeline role.
  const teamGrant = policy({
    Sid: 'UseConnectionsTaggedForThisTeam',
    Effect: 'Allow',
    Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'],
    Resource: ['arn:aws:codestar-connections:*:111111111111:connection/*', 'arn:aws:codeconnections:*:111111111111:connection/*'],
    Condition: {
      StringEquals: {
        'aws:ResourceTag/managed-by': 'connection-broker',
        'aws:ResourceTag/connection-broker:team': '${aws:PrincipalTag/connection-broker:team}',
      },
    },
  });
  const use = (context: Record<string, string | string[]>, documents: unknown[] = [teamGrant]) =>
    evaluate(documents, { action: 'codestar-connections:UseConnection', resource: CONNECTION, context });
  const tagged = (team: string) => ({ 'aws:ResourceTag/managed-by': 'connection-broker', 'aws:ResourceTag/connection-broker:team': team });

  it('replaces ${aws:PrincipalTag/...} in a condition value with the principal tag', () => {
    expect(use({ ...tagged('payments'), 'aws:PrincipalTag/connection-broker:team': 'payments' })).toBe('allow');
    expect(use({ ...tagged('search'), 'aws:PrincipalTag/connection-broker:team': 'payments' })).toBe('implicit-deny');
    // The key name is case-insensitive, as in conditions.
    expect(use({ ...tagged('payments'), 'AWS:principaltag/connection-broker:team': 'payments' })).toBe('allow');
    // Without the managed-by tag the other condition fails, whatever the team.
    expect(use({ 'aws:ResourceTag/connection-broker:team': 'payments', 'aws:PrincipalTag/connection-broker:team': 'payments' })).toBe('implicit-deny');
  });

  it('never matches a variable whose key is not in the context, not even the literal text', () => {
    expect(use(tagged('payments'))).toBe('implicit-deny');
    expect(use({ ...tagged('${aws:PrincipalTag/connection-broker:team}') })).toBe('implicit-deny');
    // Nor when both tags are missing: a null value equals nothing.
    expect(use({ 'aws:ResourceTag/managed-by': 'connection-broker' })).toBe('implicit-deny');
    // A multivalued key is not substituted.
    expect(use({ ...tagged('payments'), 'aws:PrincipalTag/connection-broker:team': ['payments'] })).toBe('implicit-deny');
  });

  it('makes a negated operator hold for a variable with no value, so such a Deny applies', () => {
    const denyOtherTeams = policy({
      Effect: 'Deny',
      Action: 'codestar-connections:UseConnection',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:ResourceTag/connection-broker:team': '${aws:PrincipalTag/connection-broker:team}' } },
    });
    const documents = [policy({ Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: '*' }), denyOtherTeams];
    expect(use({ ...tagged('payments'), 'aws:PrincipalTag/connection-broker:team': 'payments' }, documents)).toBe('allow');
    expect(use({ ...tagged('search'), 'aws:PrincipalTag/connection-broker:team': 'payments' }, documents)).toBe('explicit-deny');
    expect(use(tagged('payments'), documents)).toBe('explicit-deny');
  });

  it('treats variables as literal text outside Version 2012-10-17', () => {
    const grant = (version: string | undefined) => {
      const { Version: _version, ...rest } = teamGrant;
      return version === undefined ? rest : { ...rest, Version: version };
    };
    const context = { ...tagged('payments'), 'aws:PrincipalTag/connection-broker:team': 'payments' };
    expect(use(context, [grant('2008-10-17')])).toBe('implicit-deny');
    expect(use(context, [grant(undefined)])).toBe('implicit-deny');
    expect(use(tagged('${aws:PrincipalTag/connection-broker:team}'), [grant('2008-10-17')])).toBe('allow');
    // The URL-encoded form IAM hands out keeps its Version.
    expect(use(context, [encodeURIComponent(JSON.stringify(teamGrant))])).toBe('allow');
  });

  it('resolves variables in the resource portion of a Resource ARN, and a missing one matches no resource', () => {
    const ownRole = policy({ Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::111111111111:role/${aws:PrincipalTag/team}-*' });
    const getRole = (resource: string, context: Record<string, string>) => evaluate([ownRole], { action: 'iam:GetRole', resource, context });
    expect(getRole('arn:aws:iam::111111111111:role/payments-pipeline', { 'aws:PrincipalTag/team': 'payments' })).toBe('allow');
    expect(getRole('arn:aws:iam::111111111111:role/search-pipeline', { 'aws:PrincipalTag/team': 'payments' })).toBe('implicit-deny');
    expect(getRole('arn:aws:iam::111111111111:role/${aws:PrincipalTag/team}-pipeline', {})).toBe('implicit-deny');
    // Before the fifth colon a variable is not substituted.
    const accountVariable = policy({ Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::${aws:PrincipalAccount}:role/*' });
    expect(
      evaluate([accountVariable], { action: 'iam:GetRole', resource: 'arn:aws:iam::111111111111:role/x', context: { 'aws:PrincipalAccount': '111111111111' } }),
    ).toBe('implicit-deny');
    // NotResource with a variable that has no value excludes nothing.
    const notOwn = policy({ Effect: 'Deny', Action: 'iam:GetRole', NotResource: 'arn:aws:iam::111111111111:role/${aws:PrincipalTag/team}-*' });
    const withDeny = [policy({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }), notOwn];
    expect(evaluate(withDeny, { action: 'iam:GetRole', resource: 'arn:aws:iam::111111111111:role/payments-x', context: { 'aws:PrincipalTag/team': 'payments' } })).toBe(
      'allow',
    );
    expect(evaluate(withDeny, { action: 'iam:GetRole', resource: 'arn:aws:iam::111111111111:role/payments-x', context: {} })).toBe('explicit-deny');
  });

  it('takes a resolved value literally: its wildcards and the ${*}, ${?}, ${$} escapes match only themselves', () => {
    const like = (value: string) =>
      policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringLike: { 's3:prefix': value } } });
    const get = (document: unknown, prefix: string, context: Record<string, string> = {}) =>
      evaluate([document], { action: 's3:GetObject', resource: '*', context: { 's3:prefix': prefix, ...context } });
    expect(get(like('home/${aws:username}/*'), 'home/ana/notes.txt', { 'aws:username': 'ana' })).toBe('allow');
    expect(get(like('home/${aws:username}/*'), 'home/bob/notes.txt', { 'aws:username': 'ana' })).toBe('implicit-deny');
    // A wildcard inside a value is not a wildcard.
    expect(get(like('home/${aws:username}'), 'home/anything', { 'aws:username': '*' })).toBe('implicit-deny');
    expect(get(like('home/${aws:username}'), 'home/*', { 'aws:username': '*' })).toBe('allow');
    expect(get(like('a${*}b'), 'a*b')).toBe('allow');
    expect(get(like('a${*}b'), 'axxb')).toBe('implicit-deny');
    expect(get(like('a${?}b'), 'a?b')).toBe('allow');
    expect(get(like('a${?}b'), 'axb')).toBe('implicit-deny');
    expect(get(like('cost-${$}5'), 'cost-$5')).toBe('allow');
    const equals = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 's3:prefix': 'a${*}' } } });
    expect(get(equals, 'a*')).toBe('allow');
  });

  it("uses a variable's default value when the key has none", () => {
    const withDefault = policy({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/owner': "${aws:userid, 'anonymous'}" } },
    });
    const get = (context: Record<string, string>) => evaluate([withDefault], { action: 's3:GetObject', resource: '*', context });
    expect(get({ 'aws:ResourceTag/owner': 'anonymous' })).toBe('allow');
    expect(get({ 'aws:ResourceTag/owner': 'AIDAEXAMPLE', 'aws:userid': 'AIDAEXAMPLE' })).toBe('allow');
    expect(get({ 'aws:ResourceTag/owner': 'anonymous', 'aws:userid': 'AIDAEXAMPLE' })).toBe('implicit-deny');
  });

  it('substitutes in string and ARN operators only, never in condition keys or other operators', () => {
    const allowWhen = (condition: Record<string, unknown>) => policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: condition });
    const get = (document: unknown, context: Record<string, string>) => evaluate([document], { action: 's3:GetObject', resource: '*', context });
    const arn = allowWhen({ ArnLike: { 'aws:SourceArn': 'arn:aws:codepipeline:us-east-1:111111111111:${aws:PrincipalTag/team}-*' } });
    expect(get(arn, { 'aws:SourceArn': 'arn:aws:codepipeline:us-east-1:111111111111:payments-app', 'aws:PrincipalTag/team': 'payments' })).toBe('allow');
    const ignoreCase = allowWhen({ StringEqualsIgnoreCaseIfExists: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } });
    expect(get(ignoreCase, { 'aws:ResourceTag/team': 'Payments', 'aws:PrincipalTag/team': 'payments' })).toBe('allow');
    const anyValue = allowWhen({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['${aws:PrincipalTag/team}-owner'] } });
    expect(get(anyValue, { 'aws:TagKeys': 'payments-owner', 'aws:PrincipalTag/team': 'payments' })).toBe('allow');
    const numeric = allowWhen({ NumericEquals: { 's3:max-keys': '${aws:PrincipalTag/limit}' } });
    expect(get(numeric, { 's3:max-keys': '10', 'aws:PrincipalTag/limit': '10' })).toBe('implicit-deny');
    const inKey = allowWhen({ StringEquals: { 'aws:ResourceTag/${aws:PrincipalTag/team}': 'yes' } });
    expect(get(inKey, { 'aws:ResourceTag/payments': 'yes', 'aws:PrincipalTag/team': 'payments' })).toBe('implicit-deny');
  });
});

describe('what each call is authorised as', () => {
  const facts: ResourceFacts = {
    resourceTags: (arn): Record<string, string> | undefined => (arn === HOST ? { 'managed-by': 'connection-broker' } : arn === CONSOLE_CONNECTION ? {} : undefined),
    roleArn: (_account, name) => (name === 'pipeline-role' ? 'arn:aws:iam::111111111111:role/service-role/pipeline-role' : undefined),
    hostHasVpc: (arn) => arn === HOST,
  };
  const call = (endpoint: string, operation: string, input: Record<string, unknown>): CallFacts => ({
    endpoint,
    operation,
    input,
    accountId: '111111111111',
    region: 'us-east-1',
    facts,
  });

  it('names no resource for creates and lists, with the request tags as condition keys', () => {
    const [create, ...ec2] = requirementsFor(
      call('codestar-connections', 'CreateHost', {
        Name: 'ghe',
        ProviderType: 'GitHubEnterpriseServer',
        Tags: [{ Key: 'managed-by', Value: 'connection-broker' }],
        VpcConfiguration: { VpcId: 'vpc-0123abcd' },
      }),
    );
    expect(create).toEqual({
      action: 'codestar-connections:CreateHost',
      resource: '*',
      context: {
        'aws:RequestTag/managed-by': 'connection-broker',
        'aws:TagKeys': ['managed-by'],
        'codestar-connections:ProviderType': 'GitHubEnterpriseServer',
        'codestar-connections:VpcId': 'vpc-0123abcd',
      },
    });
    expect(ec2.map((requirement) => requirement.action)).toEqual(VPC_HOST_EC2_ACTIONS);
    expect(requirementsFor(call('codestar-connections', 'ListHosts', {}))).toEqual([{ action: 'codestar-connections:ListHosts', resource: '*', context: {} }]);
  });

  it('checks a resource of the other prefix under both prefixes, with its tags', () => {
    expect(requirementsFor(call('codestar-connections', 'GetConnection', { ConnectionArn: CONSOLE_CONNECTION })).map((requirement) => requirement.action)).toEqual([
      'codestar-connections:GetConnection',
      'codeconnections:GetConnection',
    ]);
    const [getHost] = requirementsFor(call('codestar-connections', 'GetHost', { HostArn: HOST }));
    expect(getHost).toEqual({ action: 'codestar-connections:GetHost', resource: HOST, context: { 'aws:ResourceTag/managed-by': 'connection-broker' } });
    // Deleting a VPC host also deletes its network interfaces and endpoint, as the caller.
    expect(requirementsFor(call('codestar-connections', 'DeleteHost', { HostArn: HOST })).map((requirement) => requirement.action)).toContain('ec2:DeleteVpcEndpoints');
  });

  it('makes UpdatePipeline pass the roles and connections its declaration names', () => {
    const requirements = requirementsFor(
      call('codepipeline', 'UpdatePipeline', {
        pipeline: {
          name: 'web',
          roleArn: 'arn:aws:iam::111111111111:role/service-role/pipeline-role',
          stages: [{ actions: [{ actionTypeId: { provider: 'CodeStarSourceConnection' }, configuration: { ConnectionArn: CONSOLE_CONNECTION } }] }],
        },
      }),
    );
    expect(requirements.map(({ action, resource }) => `${action} ${resource}`)).toEqual([
      'codepipeline:UpdatePipeline arn:aws:codepipeline:us-east-1:111111111111:web',
      `codestar-connections:PassConnection ${CONSOLE_CONNECTION}`,
      `codeconnections:PassConnection ${CONSOLE_CONNECTION}`,
      'iam:PassRole arn:aws:iam::111111111111:role/service-role/pipeline-role',
    ]);
    expect(requirements[3]!.context).toEqual({ 'iam:PassedToService': 'codepipeline.amazonaws.com' });
  });

  it('finds a role ARN with its path, a DynamoDB index, and a retried stage', () => {
    expect(requirementsFor(call('iam', 'PutRolePolicy', { RoleName: 'pipeline-role' }))[0]!.resource).toBe('arn:aws:iam::111111111111:role/service-role/pipeline-role');
    expect(requirementsFor(call('dynamodb', 'Query', { TableName: 'broker', IndexName: 'gsi1' }))[0]!.resource).toBe(
      'arn:aws:dynamodb:us-east-1:111111111111:table/broker/index/gsi1',
    );
    expect(requirementsFor(call('codepipeline', 'RetryStageExecution', { pipelineName: 'web', stageName: 'Source' }))[0]!.resource).toBe(
      'arn:aws:codepipeline:us-east-1:111111111111:web/Source',
    );
    expect(requirementsFor(call('states', 'SendTaskSuccess', { taskToken: 'x' }))[0]!.resource).toBe('*');
  });

  it('authorises role tagging on the role ARN, with the request tags and the tag keys', () => {
    const role = 'arn:aws:iam::111111111111:role/service-role/pipeline-role';
    expect(requirementsFor(call('iam', 'ListRoleTags', { RoleName: 'pipeline-role' }))).toEqual([{ action: 'iam:ListRoleTags', resource: role, context: {} }]);
    expect(requirementsFor(call('iam', 'TagRole', { RoleName: 'pipeline-role', Tags: [{ Key: 'connection-broker:team', Value: 'payments' }] }))).toEqual([
      {
        action: 'iam:TagRole',
        resource: role,
        context: { 'aws:RequestTag/connection-broker:team': 'payments', 'aws:TagKeys': ['connection-broker:team'] },
      },
    ]);
    expect(requirementsFor(call('iam', 'UntagRole', { RoleName: 'pipeline-role', TagKeys: ['connection-broker:team'] }))).toEqual([
      { action: 'iam:UntagRole', resource: role, context: { 'aws:TagKeys': ['connection-broker:team'] } },
    ]);
  });
});

describe("IAM's refusal text", () => {
  it('says who, what, on which resource and why', () => {
    const who = 'arn:aws:sts::111111111111:assumed-role/fn-role/fn';
    expect(refusalMessage(who, { action: 'codestar-connections:GetHost', resource: HOST }, 'implicit-deny')).toBe(
      `User: ${who} is not authorized to perform: codestar-connections:GetHost on resource: ${HOST} because no identity-based policy allows the codestar-connections:GetHost action`,
    );
    expect(refusalMessage(who, { action: 'iam:PutRolePolicy', resource: 'arn:aws:iam::111111111111:role/x' }, 'explicit-deny')).toBe(
      `User: ${who} is not authorized to perform: iam:PutRolePolicy on resource: arn:aws:iam::111111111111:role/x with an explicit deny in an identity-based policy`,
    );
    expect(refusalMessage(who, { action: 'codestar-connections:ListHosts', resource: '*' }, 'implicit-deny')).toBe(
      `User: ${who} is not authorized to perform: codestar-connections:ListHosts because no identity-based policy allows the codestar-connections:ListHosts action`,
    );
  });
});
