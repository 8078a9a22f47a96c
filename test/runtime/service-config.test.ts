import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpApi, type HttpApiEvent } from '../../infra/local/runtime/http-api.ts';
import {
  functionLogicalId,
  loadServiceConfig,
  mapServiceConfig,
  substituteDefinition,
  type LocalServiceConfig,
} from '../../infra/local/runtime/service-config.ts';

const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const VERSION = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string }).version;

describe('loadServiceConfig on the real serverless.yml', () => {
  let config: LocalServiceConfig;
  beforeAll(async () => {
    config = await loadServiceConfig({ root: ROOT });
  }, 60_000);

  it('resolves service, stage and region through osls print', () => {
    expect(config).toMatchObject({ service: 'connection-broker', stage: 'local', region: 'us-east-1' });
    expect(config.oslsPrintMs).toBeGreaterThan(0);
  });

  it('maps the health function with its handler file, environment and public route', () => {
    const health = config.functions.find((fn) => fn.name === 'health');
    expect(health).toEqual({
      name: 'health',
      functionName: 'connection-broker-local-health',
      logicalId: 'HealthLambdaFunction',
      handlerFile: `${ROOT}/functions/health/handler.ts`,
      exportName: 'handler',
      environment: expect.objectContaining({ SERVICE_NAME: 'connection-broker', SERVICE_VERSION: VERSION }),
      httpRoutes: [{ method: 'GET', path: '/v1/health' }],
      schedules: [],
      timeoutSeconds: 10,
    });
  });

  it('leaves CloudFormation intrinsics in environments for the caller and stringifies the rest', () => {
    for (const fn of config.functions) {
      for (const value of Object.values(fn.environment)) {
        if (typeof value !== 'string') expect(Object.keys(value)[0]).toMatch(/^(Ref|Fn::\w+)$/);
      }
    }
  });

  it('maps the provisioning state machine: every placeholder has a substitution naming a mapped function', () => {
    const machine = config.stateMachines.find((candidate) => candidate.logicalId === 'ProvisioningStateMachine');
    expect(machine).toMatchObject({ name: 'connection-broker-local-provisioning', definition: { StartAt: expect.any(String), States: expect.any(Object) } });
    expect(JSON.stringify(machine?.definition)).toMatch(/\$\{\w+\}/);

    const functionIds = new Set(config.functions.map((fn) => fn.logicalId));
    const resolved = substituteDefinition(machine?.definition ?? {}, machine?.substitutions ?? {}, (value) => {
      const [logicalId, attribute] = (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      expect(functionIds).toContain(logicalId);
      expect(attribute).toBe('Arn');
      return `arn:aws:lambda:us-east-1:111111111111:function:${logicalId}`;
    });
    expect(JSON.stringify(resolved)).not.toMatch(/\$\{/);
  });

  it('maps the broker table with its CloudFormation properties', () => {
    const table = config.tables.find((candidate) => candidate.logicalId === 'BrokerTable');
    expect(table?.properties).toMatchObject({
      TableName: 'connection-broker-local',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: expect.arrayContaining([expect.objectContaining({ IndexName: 'gsi1' })]),
    });
  });

  it('maps the JWT authorizer with its audience as a list: the API, and the web console’s OIDC client (whose id Cognito puts in client_id)', () => {
    expect(config.httpApiAuthorizers.jwt).toEqual({
      issuerUrl: expect.any(String),
      audience: [process.env.JWT_AUDIENCE ?? 'connection-broker', process.env.CONSOLE_OIDC_CLIENT_ID ?? 'placeholder-console-client-id'],
      identitySource: '$request.header.Authorization',
    });
  });

  it('serves the health route from serverless.yml through the local HTTP API', async () => {
    const health = config.functions.find((fn) => fn.name === 'health');
    const module = (await import(health?.handlerFile ?? '')) as Record<string, (event: HttpApiEvent) => Promise<never>>;
    const server = createServer(
      createHttpApi({
        routes: (health?.httpRoutes ?? []).map((route) => ({ ...route, authorizer: undefined, invoke: (event) => module[health?.exportName ?? '']!(event) })),
        verifyJwt: async () => ({}),
        onAccess: () => undefined,
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('mapServiceConfig', () => {
  const base = {
    service: 'svc',
    provider: {
      stage: 'local',
      region: 'eu-west-1',
      timeout: 10,
      environment: { SHARED: 'a', OVERRIDDEN: 'provider', TABLE: { Ref: 'BrokerTable' } },
      httpApi: {
        authorizers: {
          jwt: { identitySource: '$request.header.Authorization', issuerUrl: 'https://issuer', audience: ['one', 'two'] },
          lambdaAuth: { type: 'request', functionName: 'auth' },
        },
      },
    },
  };
  const map = (printed: Record<string, unknown>) => mapServiceConfig(printed, { root: '/repo', fileExists: (path) => path.endsWith('.ts') });

  it('maps routes, authorizers, schedules, environment and timeouts', () => {
    const config = map({
      ...base,
      functions: {
        'create-request': {
          handler: 'functions/request/create-request.main',
          timeout: 29,
          environment: { OVERRIDDEN: 'function', LIMIT: 5, DEBUG: false },
          events: [
            { httpApi: { method: 'post', path: '/v1/connection-requests', authorizer: { name: 'jwt', scopes: ['broker/write'] } } },
            { httpApi: { method: '*', path: '/v1/connection-requests/{id}', authorizer: 'jwt' } },
            { httpApi: 'GET /v1/open' },
            { httpApi: '*' },
          ],
        },
        auditor: {
          handler: 'functions/auditor/handler.handler',
          events: [
            { schedule: 'rate(1 hour)' },
            { schedule: { rate: ['rate(5 minutes)', 'cron(0 12 * * ? *)'], enabled: false, input: '{"mode":"full"}' } },
            { schedule: { rate: ['rate(1 day)'], input: { body: '{"a":1}', extra: true } } },
          ],
        },
      },
    });
    expect(config.functions[0]).toEqual({
      name: 'create-request',
      functionName: 'svc-local-create-request',
      logicalId: 'CreateDashrequestLambdaFunction',
      handlerFile: '/repo/functions/request/create-request.ts',
      exportName: 'main',
      environment: { SHARED: 'a', OVERRIDDEN: 'function', TABLE: { Ref: 'BrokerTable' }, LIMIT: '5', DEBUG: 'false' },
      httpRoutes: [
        { method: 'POST', path: '/v1/connection-requests', authorizer: 'jwt', scopes: ['broker/write'] },
        { method: 'ANY', path: '/v1/connection-requests/{id}', authorizer: 'jwt' },
        { method: 'GET', path: '/v1/open' },
        { method: 'ANY', path: '*' },
      ],
      schedules: [],
      timeoutSeconds: 29,
    });
    expect(config.functions[1]?.schedules).toEqual([
      { rate: 'rate(1 hour)', enabled: true },
      { rate: 'rate(5 minutes)', enabled: false, input: { mode: 'full' } },
      { rate: 'cron(0 12 * * ? *)', enabled: false, input: { mode: 'full' } },
      { rate: 'rate(1 day)', enabled: true, input: { body: { a: 1 }, extra: true } },
    ]);
    expect(config.functions[1]?.timeoutSeconds).toBe(10);
    expect(config.httpApiAuthorizers).toEqual({ jwt: { issuerUrl: 'https://issuer', audience: ['one', 'two'], identitySource: '$request.header.Authorization' } });
    expect(config).toMatchObject({ service: 'svc', stage: 'local', region: 'eu-west-1', stateMachines: [], tables: [] });
  });

  it('fails rather than serve a route whose authorizer cannot be honoured locally', () => {
    for (const authorizer of ['lambdaAuth', 'unknown', { type: 'aws_iam' }, { id: 'abc123' }]) {
      expect(() => map({ ...base, functions: { f: { handler: 'f.handler', events: [{ httpApi: { method: 'GET', path: '/x', authorizer } }] } } })).toThrow(
        /only those are supported locally/,
      );
    }
  });

  it('fails on payload format 1.0, missing handler files and image functions', () => {
    expect(() => map({ ...base, provider: { ...base.provider, httpApi: { payload: '1.0' } } })).toThrow(/payload 1\.0 is not supported/);
    expect(() => mapServiceConfig({ ...base, functions: { f: { handler: 'missing/file.handler' } } }, { root: '/repo', fileExists: () => false })).toThrow(/handler file not found/);
    expect(() => map({ ...base, functions: { f: { image: 'x' } } })).toThrow(/has no handler/);
  });

  it('collects state machines and tables, parsing a DefinitionString', () => {
    const config = map({
      ...base,
      resources: {
        Resources: {
          Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}' } },
          Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 't' } },
          Role: { Type: 'AWS::IAM::Role', Properties: {} },
        },
      },
    });
    expect(config.stateMachines).toEqual([{ logicalId: 'Machine', name: 'Machine', definition: { StartAt: 'A', States: { A: { Type: 'Succeed' } } }, substitutions: {} }]);
    expect(config.tables).toEqual([{ logicalId: 'Table', properties: { TableName: 't' } }]);
  });
});

describe('functionLogicalId', () => {
  it('follows osls naming', () => {
    expect(functionLogicalId('health')).toBe('HealthLambdaFunction');
    expect(functionLogicalId('slack-events')).toBe('SlackDasheventsLambdaFunction');
    expect(functionLogicalId('wait_for_host')).toBe('WaitUnderscoreforUnderscorehostLambdaFunction');
  });
});
