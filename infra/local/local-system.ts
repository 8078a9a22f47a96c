import { ACCEPT_BACKLOG } from './accept-backlog.ts';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { resolveCloudFormationValue, type LocalResourceNames } from './cloudformation-values.ts';
import { ensureTables, startDynamoDb } from './runtime/dynamodb.ts';
import { redriveRequestsInFlight } from './runtime/redrive.ts';
import { functionOutputWriter, logFormatFrom, type FunctionOutputLine, type LogFormat } from './runtime/function-output.ts';
import { createHttpApi, type HttpApiRoute } from './runtime/http-api.ts';
import { consoleFiles, isConsolePath } from './runtime/console-files.ts';
import { splitTarget } from './runtime/http-event.ts';
import { LOCAL_CONSOLE_DIR, type ConsoleConfig } from '../../console/config.ts';
import { verifyToken } from './runtime/jwt.ts';
import { LambdaInvocationError, LocalLambda, type LambdaFunctionSpec } from './runtime/lambda-runtime.ts';
import { ensureLocalPackage, type LocalPackage } from './runtime/local-package.ts';
import { reportRequestSteps } from './runtime/request-steps.ts';
import { scheduledJobs } from './runtime/scheduled-jobs.ts';
import { spokeRoleProvisioner, type SpokeRoleProvisioner } from './runtime/spoke-role-provisioning.ts';
import { assertWithinPayloadLimit } from './runtime/step-payload.ts';
import { sandboxClockTimers } from './runtime/sandbox-clock-timers.ts';
import { startSchedules, type ScheduleTimers } from './runtime/schedules.ts';
import { loadServiceConfig, substituteDefinition, type LocalFunction, type LocalServiceConfig } from './runtime/service-config.ts';
import { rolesByResource, type TemplateRole } from './runtime/template-roles.ts';
import type { Principal } from './sandbox/authorization/authorizer.ts';
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
  /** Where persisted state lives instead of `<root>/.local/` (a test restarting a system of its own). */
  stateDirectory?: string;
  /** Extra environment for the handlers (e.g. a faster host-poll policy for tests). */
  environment?: Record<string, string>;
  /** Replaces a state machine's definition before it is registered (benchmarks compare variants). */
  transformDefinition?: (logicalId: string, definition: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Timers for some functions' `schedule` events, by function key (a test drives the auditor's by
   * hand); every other schedule runs on the sandbox clock.
   */
  scheduleTimers?: Record<string, ScheduleTimers>;
  /**
   * IAM as AWS enforces it (default on): each function calls AWS with credentials of its own, and
   * the sandbox authorises every call against that function's role in the packaged template.
   * `LOCAL_IAM_ENFORCEMENT=off` (or false here) lets every call through, as before.
   */
  iamEnforcement?: boolean;
  /** Run the packaged, minified bundles (`osls package`) instead of the TypeScript sources. */
  packaged?: boolean;
  /**
   * Execution environments (worker threads) each function may have at once; default 2, which two
   * cores can carry. AWS allows far more (1,000 by default per account): a benchmark of concurrent
   * work, such as the fleet audit's Distributed Map, raises it to what it needs.
   */
  environmentsPerFunction?: number;
  /** Progress lines for people (npm start, the demo): start-up, then one line per step of each request; tests leave it out. */
  log?: (line: string) => void;
  /**
   * What the terminal shows of the functions' own output: `readable` (default), only warnings and
   * errors, one line each; `json`, every line as they print it (Powertools JSON logs, EMF metrics).
   * Default: `LOG_FORMAT`.
   */
  logFormat?: LogFormat;
  /** The built web console it serves at / (default `<root>/.local/console`, which `npm start` and the tests' set-up build). */
  consoleDirectory?: string;
  /** What the console is told (/console-config.json); default the dev sign-in. */
  consoleConfig?: ConsoleConfig;
  /** Every line each function prints, as it prints it, whatever the terminal shows (tests read the logs here). */
  functionOutput?: (output: FunctionOutputLine) => void;
}

export interface LocalSystem {
  apiUrl: string;
  sandbox: Sandbox;
  stepFunctions: LocalStepFunctions;
  stateMachineArns: Record<string, string>;
  config: LocalServiceConfig;
  /** The functions' execution environments (worker threads). */
  lambda: LocalLambda;
  /** Each function's credentials and role, by its key in serverless.yml (empty when IAM is not enforced). */
  functionPrincipals: Map<string, Principal & { role: TemplateRole }>;
  /** Whether the functions run the packaged bundles. */
  packaged: boolean;
  close(): Promise<void>;
}

type Handler = (event: unknown) => Promise<unknown>;

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

const LOCAL_MEMORY_MB = 256;

/**
 * What Lambda sets in every function's environment (its reserved variables), so libraries behave
 * as they do there: Powertools counts a cold start only when initialization is `on-demand`.
 * AWS_EXECUTION_ENV is left out on purpose: it switches Powertools Tracer on, and there is no X-Ray
 * daemon here to send segments to.
 */
function lambdaReservedVariables(functionName: string, memoryMb: number): Record<string, string> {
  return {
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
  };
}

/**
 * The whole product on one machine, in one process: serverless.yml read through `osls print`,
 * DynamoDB (dynalite), the AWS sandbox with Step Functions running the same ASL file, the same
 * handlers called in-process, and an HTTP API in front. Handlers reach AWS only through the
 * standard AWS_ENDPOINT_URL* variables, exactly as on AWS.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const persist = options.persist ?? true;
  const iamEnforcement = options.iamEnforcement ?? !/^(off|false|0)$/i.test(process.env.LOCAL_IAM_ENFORCEMENT ?? '');
  const packaged = options.packaged ?? false;
  const logFormat = options.logFormat ?? logFormatFrom(process.env.LOG_FORMAT);
  const config = await loadServiceConfig({ root: options.root, stage: 'local' });
  // The package is what deploys: the roles IAM will hold, and the bundles Lambda will run.
  const localPackage =
    iamEnforcement || packaged ? await ensureLocalPackage(options.root, { stage: config.stage, region: config.region, log: options.log }) : undefined;
  const stateDirectory = options.stateDirectory ?? join(options.root, '.local');
  const dynamo = await startDynamoDb({ path: persist ? join(stateDirectory, 'ddb') : undefined });

  let stepFunctions!: LocalStepFunctions;
  const sandbox = await Sandbox.start({
    port: options.sandboxPort ?? 4566,
    statePath: persist ? join(stateDirectory, 'sandbox/state.json') : undefined,
    // DynamoDB calls go through the sandbox, which authorises them and passes them on to dynalite.
    dynamoDbUrl: dynamo.url,
    extraModules: (deps) => {
      stepFunctions = new LocalStepFunctions({ clock: deps.clock, accountId: deps.config.defaultAccountId, region: config.region });
      return [stepFunctions.module(deps)];
    },
  });
  sandbox.authorizer.enabled = iamEnforcement;

  const accountId = sandbox.config.defaultAccountId;
  const names = localResourceNames(config, accountId);
  const functionSettings = functionEnvironment(config, names);
  // What serverless.yml leaves empty (operator settings such as the allow-list) gets a local default.
  const localDefaults = Object.fromEntries(Object.entries(LOCAL_ENVIRONMENT).filter(([key]) => !functionSettings[key]));
  const aws = awsEnvironment(sandbox.url, config.region);
  // What the machine gives every process (PATH, HOME, …), before this process takes on the
  // functions' variables for the tests' convenience: each function sees only its own on top.
  const machineEnvironment = stringEnvironment(process.env);
  Object.assign(process.env, aws, functionSettings, LOCAL_OVERRIDES, localDefaults, options.environment);

  const tableClient = new DynamoDBClient({});
  const tables = await ensureTables(tableClient, config.tables, (logicalId) => names.refs[logicalId]!);
  tableClient.destroy();
  if (tables.mismatched.length > 0) {
    // dynalite cannot add an index to a table that has data; a query on a missing one would be a 500.
    const reasons = tables.mismatched.map(({ tableName, reason }) => `${tableName}: ${reason}`).join('; ');
    await Promise.allSettled([dynamo.close(), sandbox.close()]);
    throw new Error(`The local DynamoDB store (.local/ddb) was made by an older version of the broker (${reasons}). Move .local/ away and start again.`);
  }

  const roles = localPackage && iamEnforcement ? rolesByResource(localPackage.template, names) : new Map<string, TemplateRole>();
  const functionPrincipals = new Map<string, Principal & { role: TemplateRole }>();
  const specs = new Map<string, LambdaFunctionSpec>();
  for (const fn of config.functions) {
    const role = roles.get(fn.logicalId);
    const credentials: Record<string, string> = {};
    if (role) {
      const principal = { ...functionPrincipal(fn, role, accountId), role };
      sandbox.authorizer.register(principal);
      functionPrincipals.set(fn.name, principal);
      Object.assign(credentials, { AWS_ACCESS_KEY_ID: principal.accessKeyId, AWS_SECRET_ACCESS_KEY: 'local-secret', AWS_SESSION_TOKEN: `local-session-${fn.name}` });
    }
    const ownSettings = Object.fromEntries(Object.entries(fn.environment).map(([key, value]) => [key, resolveCloudFormationValue(value, names)]));
    const environment = {
      ...machineEnvironment,
      ...aws,
      ...ownSettings,
      ...LOCAL_OVERRIDES,
      ...localDefaults,
      ...options.environment,
      ...credentials,
      ...lambdaReservedVariables(fn.functionName, LOCAL_MEMORY_MB),
    };
    specs.set(fn.name, { ...handlerLocation(fn, localPackage, packaged), name: fn.name, functionName: fn.functionName, timeoutSeconds: fn.timeoutSeconds, memoryLimitInMB: LOCAL_MEMORY_MB, environment });
  }
  const terminal = functionOutputWriter(logFormat);
  const output = (line: FunctionOutputLine) => {
    options.functionOutput?.(line);
    terminal(line);
  };
  const lambda = new LocalLambda(specs, {
    region: config.region,
    accountId,
    nowMs: () => sandbox.clock.nowMs(),
    output,
    ...(options.environmentsPerFunction ? { maxEnvironmentsPerFunction: options.environmentsPerFunction } : {}),
  });
  sandbox.settleBeforeClockMoves = () => settled(lambda, stepFunctions);
  // For people: one line per step of each request, from the request records' writes.
  if (options.log) reportRequestSteps(sandbox, functionSettings.TABLE_NAME, options.log);
  const invokeFunction = (name: string): Handler => (event) => lambda.invoke(name, event);

  const functionsByArn = new Map(config.functions.map((fn) => [names.attributes[`${fn.logicalId}.Arn`]!, fn.name]));
  const stateMachineArns: Record<string, string> = {};
  for (const machine of config.stateMachines) {
    const substituted = substituteDefinition(machine.definition, machine.substitutions, (value) => resolveCloudFormationValue(value, names));
    const definition = options.transformDefinition?.(machine.logicalId, substituted) ?? substituted;
    const machineRole = roles.get(machine.logicalId);
    const invoker = machineRole ? stateMachinePrincipal(machine.name, machineRole, accountId) : undefined;
    stateMachineArns[machine.logicalId] = stepFunctions.register({
      name: machine.name,
      definition,
      taskHandlers: taskHandlersFor(definition, (arn) => {
        const name = functionsByArn.get(arn);
        if (name === undefined) return undefined;
        return async (event) => {
          // Step Functions invokes the function as the state machine's role.
          const refusal = invoker && sandbox.authorizer.checkPrincipal(invoker, [{ action: 'lambda:InvokeFunction', resource: arn, context: {} }]);
          if (refusal) {
            throw new LambdaInvocationError(
              'Lambda.AWSLambdaException',
              `${refusal.message} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException)`,
            );
          }
          return invokeFunction(name)(event);
        };
      }),
    });
  }

  // EventBridge schedules (serverless.yml `schedule` events): the same handlers, on their schedule,
  // on the sandbox clock unless a test drives a function's timers itself.
  const jobs = scheduledJobs(config.functions, {
    accountId,
    region: config.region,
    nowMs: () => sandbox.clock.nowMs(),
    invoke: (fn, event) => lambda.invoke(fn.name, event),
  });
  const overridden = options.scheduleTimers ?? {};
  const functionOf = (job: { name: string }) => job.name.slice(0, job.name.lastIndexOf('#'));
  let closing = false;
  // A run cut off by close() (its worker is terminated) is not a failure worth a line.
  const onError = (job: { name: string }, error: unknown) => {
    if (!closing) console.error(`schedule ${job.name}: run failed with ${error instanceof Error ? error.name : typeof error}`);
  };
  const stops = [
    startSchedules(jobs.filter((job) => !(functionOf(job) in overridden)), { timers: sandboxClockTimers(sandbox.clock), onError }),
    ...Object.entries(overridden).map(([name, timers]) => startSchedules(jobs.filter((job) => functionOf(job) === name), { timers, onError })),
  ];
  const stopSchedules = () => stops.forEach((stop) => stop());

  // What the StackSet does on AWS (infra/spoke-role.yml): a registered account gets its spoke role.
  const spokeRoles = spokeRoleProvisioner({
    root: options.root,
    sandboxUrl: sandbox.url,
    region: config.region,
    hubAccountId: accountId,
    settings: () => ({ ...functionSettings, ...options.environment }),
    log: options.log,
  });
  const server = await listenHttpApi(config, lambda, options.apiPort ?? 3000, spokeRoles.afterRoute, {
    directory: options.consoleDirectory ?? join(options.root, LOCAL_CONSOLE_DIR),
    config: options.consoleConfig,
  });
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await configureFakeSlack(sandbox.url, `${apiUrl}/slack/interactions`);

  // Executions live in this process: the requests a previous run left in flight go on from their records.
  if (persist) {
    const redriven = await redriveRequestsInFlight({
      tableName: process.env.TABLE_NAME!,
      stateMachineArn: process.env.STATE_MACHINE_ARN!,
      settings: { hostSetupTimeoutSeconds: Number(process.env.HOST_SETUP_TIMEOUT_SECONDS), approvalTimeoutSeconds: Number(process.env.APPROVAL_TIMEOUT_SECONDS) },
      nowMs: sandbox.clock.nowMs(),
    });
    if (redriven.length > 0) options.log?.(`Took up ${redriven.length} request(s) the last run left in flight: ${redriven.map((redrive) => redrive.requestId).join(', ')}`);
  }

  return {
    apiUrl,
    sandbox,
    stepFunctions,
    stateMachineArns,
    config,
    lambda,
    functionPrincipals,
    packaged,
    async close() {
      closing = true;
      stopSchedules();
      // A paused execution holds a timer for its wait's timeout (days, in real time), which would
      // keep the process alive long after close: stop them, as a deleted state machine would.
      for (const execution of stepFunctions.listExecutions()) {
        if (execution.status === 'RUNNING') stepFunctions.stopExecution(execution.arn, 'LocalSystemClosed', 'the local system was closed');
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await lambda.close();
      await sandbox.close();
      await dynamo.close();
    },
  };
}

/**
 * Waits until no function runs and no execution has moved for a moment (at most 30 s of real time):
 * in real time a step ends long before hours pass, so the sandbox clock must not outrun one.
 */
async function settled(lambda: LocalLambda, stepFunctions: LocalStepFunctions): Promise<void> {
  const progress = () => stepFunctions.listExecutions().reduce((sum, execution) => sum + stepFunctions.transitions(execution.arn), 0);
  const deadline = Date.now() + 30_000;
  let last = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const current = progress();
    if (current !== last || lambda.inFlight > 0) {
      last = current;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= 20) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A function's credentials: an access key of its own, which the sandbox maps to its role's session. */
function functionPrincipal(fn: LocalFunction, role: TemplateRole, accountId: string): Principal {
  const digest = createHash('sha256').update(fn.functionName).digest('hex').toUpperCase();
  return {
    // Temporary (role) credentials start with ASIA, as Lambda's do.
    accessKeyId: `ASIA${digest.replace(/[^A-Z0-9]/g, '').slice(0, 16)}`,
    arn: `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/${fn.functionName}`,
    accountId,
    policies: role.policies,
  };
}

function stateMachinePrincipal(machineName: string, role: TemplateRole, accountId: string): Principal {
  return { accessKeyId: '', arn: `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/${machineName}`, accountId, policies: role.policies };
}

/** The sources, or in packaged mode the function's bundle as osls zipped it. */
function handlerLocation(fn: LocalFunction, localPackage: LocalPackage | undefined, packaged: boolean): Pick<LambdaFunctionSpec, 'handlerFile' | 'exportName' | 'typescript'> {
  if (!packaged || !localPackage) return { handlerFile: fn.handlerFile, exportName: fn.exportName, typescript: true };
  const handler = String(localPackage.template.Resources[fn.logicalId]?.Properties?.Handler ?? '');
  const dot = handler.lastIndexOf('.');
  return { handlerFile: join(localPackage.bundleDirectory(fn.name), `${handler.slice(0, dot)}.mjs`), exportName: handler.slice(dot + 1), typescript: false };
}

function stringEnvironment(environment: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== undefined));
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

function awsEnvironment(sandboxUrl: string, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: sandboxUrl,
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
 * Calls the function as Step Functions calls Lambda (the engine already hands `lambda:invoke` tasks
 * their Payload and wraps the result), and reports its errors as Step Functions sees Lambda errors:
 * the error name is Lambda's errorType (`Sandbox.Timedout` for a timeout). Step Functions refuses a
 * state input or output over 256 KiB (States.DataLimitExceeded).
 */
function lambdaTask(handler: Handler): TaskHandler {
  return async (event) => {
    assertWithinPayloadLimit(event, 'input');
    let result: unknown;
    try {
      result = await handler(event);
    } catch (error) {
      const failure = error instanceof LambdaInvocationError ? error : new LambdaInvocationError('Lambda.Unknown', String(error));
      const lambdaError = new Error(JSON.stringify({ errorType: failure.errorType, errorMessage: failure.errorMessage }));
      lambdaError.name = failure.errorType;
      throw lambdaError;
    }
    assertWithinPayloadLimit(result, 'output');
    return result;
  };
}

async function listenHttpApi(
  config: LocalServiceConfig,
  lambda: LocalLambda,
  port: number,
  afterRoute: SpokeRoleProvisioner['afterRoute'],
  consoleSettings: { directory: string; config?: ConsoleConfig | undefined },
): Promise<Server> {
  const routes: HttpApiRoute[] = config.functions.flatMap((fn) =>
    fn.httpRoutes.map((route) => ({
      method: route.method,
      path: route.path,
      authorizer: route.authorizer ? ('jwt' as const) : undefined,
      scopes: route.scopes,
      invoke: async (event) => {
        const result = (await lambda.invoke(fn.name, event)) as APIGatewayProxyResultV2;
        // Before the answer goes out, so a client that registered an account can use it at once.
        await afterRoute(route, event, result);
        return result;
      },
    })),
  );
  const api = createHttpApi({ routes, verifyJwt: async (token) => verifyToken(token), onAccess: () => undefined });
  const consoleSite = consoleFiles(consoleSettings.directory, consoleSettings.config);
  const server = createServer((req, res) => {
    const path = splitTarget(req.url ?? '/').rawPath;
    if (!isConsolePath((req.method ?? 'GET').toUpperCase(), path)) return api(req, res);
    try {
      consoleSite(req, res, path);
    } catch (error) {
      // A file read failed (a rebuild in progress): answer, never take the process down.
      console.error(`web console: ${(error as Error).name} serving ${req.method} ${path}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Internal Server Error\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', backlog: ACCEPT_BACKLOG }, () => resolve());
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
