import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { resolveCloudFormationValue, type LocalResourceNames } from './cloudformation-values.ts';
import { ensureTables, startDynamoDb } from './runtime/dynamodb.ts';
import { createHttpApi, type HttpApiRoute } from './runtime/http-api.ts';
import { verifyToken } from './runtime/jwt.ts';
import { scheduledJobs } from './runtime/scheduled-jobs.ts';
import { startSchedules, type ScheduleTimers } from './runtime/schedules.ts';
import { loadServiceConfig, substituteDefinition, type LocalFunction, type LocalServiceConfig } from './runtime/service-config.ts';
import { Sandbox } from './sandbox/server.ts';
import { LocalStepFunctions, type TaskHandler } from './stepfunctions/engine.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface LocalSystemOptions {
  root: string;
  /** HTTP API port; 0 picks a free one. */
  apiPort?: number;
  /** AWS sandbox port; 0 picks a free one. */
  sandboxPort?: number;
  /** Keep DynamoDB and sandbox state under `<root>/.local/` (default) or only in memory (tests). */
  persist?: boolean;
  /** Extra environment for the handlers (e.g. a faster host-poll policy for tests). */
  environment?: Record<string, string>;
  /** Replaces a state machine's definition before it is registered (benchmarks compare variants). */
  transformDefinition?: (logicalId: string, definition: Record<string, unknown>) => Record<string, unknown>;
  /** Timers for the functions' `schedule` events (tests drive them); default: real time. */
  scheduleTimers?: ScheduleTimers;
}

export interface LocalSystem {
  apiUrl: string;
  sandbox: Sandbox;
  stepFunctions: LocalStepFunctions;
  stateMachineArns: Record<string, string>;
  config: LocalServiceConfig;
  close(): Promise<void>;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** Local defaults for what an operator configures on AWS. */
const LOCAL_ENVIRONMENT: Record<string, string> = {
  ALLOWED_PROVIDER_ENDPOINTS: 'ghe.example.com,*.example.com',
  SLACK_BOT_TOKEN: 'xoxb-sandbox-bot-token',
  SLACK_SIGNING_SECRET: 'local-signing-secret-for-the-fake-slack',
  SLACK_TEAM_ID: 'T0SANDBOX',
  SLACK_APP_ID: 'A0SANDBOX',
  SLACK_APPROVERS_CHANNEL: 'C0APPROVALS',
  SLACK_HOST_ADMINS_CHANNEL: 'C0HOSTADMINS',
  // Approvers in the fake Slack: U0APPROVER by id, members of S0APPROVERS, and the escalation's S0LEADS.
  SLACK_APPROVERS: JSON.stringify({
    default: { users: ['U0APPROVER'], userGroups: ['S0APPROVERS'], escalation: { channel: 'C0ESCALATIONS', userGroups: ['S0LEADS'] } },
  }),
};

/** AWS-only settings the local runtime replaces: locally the Slack credentials come from the environment above. */
const LOCAL_OVERRIDES: Record<string, string> = {
  SLACK_SECRET_ID: '',
};

/**
 * The whole product on one machine, in one process: serverless.yml read through `osls print`,
 * DynamoDB (dynalite), the AWS sandbox with Step Functions running the same ASL file, the same
 * handlers called in-process, and an HTTP API in front. Handlers reach AWS only through the
 * standard AWS_ENDPOINT_URL* variables, exactly as on AWS.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const persist = options.persist ?? true;
  const config = await loadServiceConfig({ root: options.root, stage: 'local' });
  const dynamo = await startDynamoDb({ path: persist ? join(options.root, '.local/ddb') : undefined });

  let stepFunctions!: LocalStepFunctions;
  const sandbox = await Sandbox.start({
    port: options.sandboxPort ?? 4566,
    statePath: persist ? join(options.root, '.local/sandbox/state.json') : undefined,
    extraModules: (deps) => {
      stepFunctions = new LocalStepFunctions({ clock: deps.clock, accountId: deps.config.defaultAccountId, region: config.region });
      return [stepFunctions.module(deps)];
    },
  });

  const accountId = sandbox.config.defaultAccountId;
  const names = localResourceNames(config, accountId);
  const functionSettings = functionEnvironment(config, names);
  // What serverless.yml leaves empty (operator settings such as the allow-list) gets a local default.
  const localDefaults = Object.fromEntries(Object.entries(LOCAL_ENVIRONMENT).filter(([key]) => !functionSettings[key]));
  Object.assign(process.env, awsEnvironment(sandbox.url, dynamo.url, config.region), functionSettings, LOCAL_OVERRIDES, localDefaults, options.environment);

  const tableClient = new DynamoDBClient({});
  await ensureTables(tableClient, config.tables, (logicalId) => names.refs[logicalId]!);
  tableClient.destroy();

  const handlers = await loadHandlers(config.functions);
  const functionsByArn = new Map(config.functions.map((fn) => [names.attributes[`${fn.logicalId}.Arn`]!, fn.name]));
  const stateMachineArns: Record<string, string> = {};
  for (const machine of config.stateMachines) {
    const substituted = substituteDefinition(machine.definition, machine.substitutions, (value) => resolveCloudFormationValue(value, names));
    const definition = options.transformDefinition?.(machine.logicalId, substituted) ?? substituted;
    stateMachineArns[machine.logicalId] = stepFunctions.register({
      name: machine.name,
      definition,
      taskHandlers: taskHandlersFor(definition, (arn) => {
        const name = functionsByArn.get(arn);
        return name === undefined ? undefined : handlers.get(name);
      }),
    });
  }

  // EventBridge schedules (serverless.yml `schedule` events): the same handlers, on their schedule.
  const stopSchedules = startSchedules(
    scheduledJobs(config.functions, {
      accountId,
      region: config.region,
      nowMs: () => sandbox.clock.nowMs(),
      invoke: (fn, event) => handlers.get(fn.name)!(event, lambdaContext(fn.timeoutSeconds)),
    }),
    options.scheduleTimers ? { timers: options.scheduleTimers } : {},
  );

  const server = await listenHttpApi(config, handlers, options.apiPort ?? 3000);
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await configureFakeSlack(sandbox.url, `${apiUrl}/slack/interactions`);

  return {
    apiUrl,
    sandbox,
    stepFunctions,
    stateMachineArns,
    config,
    async close() {
      stopSchedules();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sandbox.close();
      await dynamo.close();
    },
  };
}

function localResourceNames(config: LocalServiceConfig, accountId: string): LocalResourceNames {
  const refs: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const fn of config.functions) {
    refs[fn.logicalId] = fn.functionName;
    attributes[`${fn.logicalId}.Arn`] = `arn:aws:lambda:${config.region}:${accountId}:function:${fn.functionName}`;
  }
  for (const table of config.tables) {
    const tableName = String(table.properties.TableName ?? `${config.service}-${config.stage}-${table.logicalId}`);
    refs[table.logicalId] = tableName;
    attributes[`${table.logicalId}.Arn`] = `arn:aws:dynamodb:${config.region}:${accountId}:table/${tableName}`;
  }
  for (const machine of config.stateMachines) {
    refs[machine.logicalId] = `arn:aws:states:${config.region}:${accountId}:stateMachine:${machine.name}`;
  }
  return { accountId, region: config.region, refs, attributes };
}

function awsEnvironment(sandboxUrl: string, dynamoUrl: string, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: sandboxUrl,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SLACK_API_URL: `${sandboxUrl}/slack/api/`,
  };
}

/**
 * One process means one environment: every function's variables, resolved. Our functions share
 * theirs (provider level); a clash would make the local system lie, so it stops instead.
 */
function functionEnvironment(config: LocalServiceConfig, names: LocalResourceNames): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const fn of config.functions) {
    for (const [key, value] of Object.entries(fn.environment)) {
      const resolved = resolveCloudFormationValue(value, names);
      if (key in merged && merged[key] !== resolved) {
        throw new Error(`functions disagree on ${key}; the local runtime runs them in one process and needs one value`);
      }
      merged[key] = resolved;
    }
  }
  return merged;
}

async function loadHandlers(functions: LocalFunction[]): Promise<Map<string, Handler>> {
  const handlers = new Map<string, Handler>();
  for (const fn of functions) {
    const module = (await import(pathToFileURL(fn.handlerFile).href)) as Record<string, unknown>;
    const handler = module[fn.exportName];
    if (typeof handler !== 'function') throw new Error(`${fn.handlerFile} does not export a function ${fn.exportName}`);
    handlers.set(fn.name, handler as Handler);
  }
  return handlers;
}

/**
 * A handler per Task state, found by walking the definition: a Lambda ARN as the Resource, or
 * `lambda:invoke[.waitForTaskToken]` with FunctionName and Payload. A Task the runtime cannot
 * map stops start-up (the engine refuses to register it), instead of calling real AWS.
 */
function taskHandlersFor(definition: Record<string, unknown>, handlerFor: (functionArn: string) => Handler | undefined): Record<string, TaskHandler> {
  const result: Record<string, TaskHandler> = {};
  const visit = (states: Record<string, Record<string, unknown>>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') {
        const resource = String(state.Resource);
        const viaInvoke = resource.startsWith('arn:aws:states:::lambda:invoke');
        const functionArn = viaInvoke ? String((state.Parameters as Record<string, unknown> | undefined)?.FunctionName) : resource;
        const handler = handlerFor(functionArn);
        if (handler) result[name] = lambdaTask(handler);
      }
      for (const branch of (state.Branches as { States: Record<string, Record<string, unknown>> }[] | undefined) ?? []) visit(branch.States);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, Record<string, unknown>> } | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(definition.States as Record<string, Record<string, unknown>>);
  return result;
}

/**
 * Calls the handler as Lambda would (the engine already hands `lambda:invoke` tasks their Payload
 * and wraps the result), and reports its errors as Step Functions sees Lambda errors.
 */
function lambdaTask(handler: Handler): TaskHandler {
  return async (event) => {
    try {
      return await handler(event, lambdaContext());
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      const lambdaError = new Error(JSON.stringify({ errorType: failure.name, errorMessage: failure.message }));
      lambdaError.name = failure.name;
      throw lambdaError;
    }
  };
}

/** The parts of Lambda's context object our handlers (and Powertools) read. */
function lambdaContext(timeoutSeconds = 900) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    functionName: 'local',
    functionVersion: '$LATEST',
    awsRequestId: crypto.randomUUID(),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

async function listenHttpApi(config: LocalServiceConfig, handlers: Map<string, Handler>, port: number): Promise<Server> {
  const routes: HttpApiRoute[] = config.functions.flatMap((fn) =>
    fn.httpRoutes.map((route) => ({
      method: route.method,
      path: route.path,
      authorizer: route.authorizer ? ('jwt' as const) : undefined,
      scopes: route.scopes,
      invoke: async (event) => (await handlers.get(fn.name)!(event, lambdaContext(fn.timeoutSeconds))) as APIGatewayProxyResultV2,
    })),
  );
  const server = createServer(createHttpApi({ routes, verifyJwt: async (token) => verifyToken(token), onAccess: () => undefined }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

async function configureFakeSlack(sandboxUrl: string, interactivityUrl: string): Promise<void> {
  const response = await fetch(`${sandboxUrl}/_sandbox/slack/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      signingSecret: LOCAL_ENVIRONMENT.SLACK_SIGNING_SECRET,
      botToken: LOCAL_ENVIRONMENT.SLACK_BOT_TOKEN,
      teamId: LOCAL_ENVIRONMENT.SLACK_TEAM_ID,
      appId: LOCAL_ENVIRONMENT.SLACK_APP_ID,
      interactivityUrl,
    }),
  });
  if (!response.ok) throw new Error(`could not configure the fake Slack: ${response.status} ${await response.text()}`);
}
