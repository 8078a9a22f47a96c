/**
 * Pure mapping of `osls print --format json` output to LocalServiceConfig. Anything the
 * local runtime could not honour faithfully (a non-JWT authorizer, payload format 1.0,
 * an image function) fails here, at startup, rather than misbehaving later.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { functionLogicalId } from './logical-ids.ts';
import type {
  CloudFormationValue,
  LocalFunction,
  LocalHttpRoute,
  LocalJwtAuthorizer,
  LocalSchedule,
  LocalServiceConfig,
  LocalStateMachine,
} from './service-config.ts';

// Lambda's and osls's defaults when serverless.yml names none.
const DEFAULT_TIMEOUT_SECONDS = 6;
const HANDLER_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

export interface MapOptions {
  root: string;
  fileExists?: (path: string) => boolean;
}

/** File lookups are injectable for tests. */
export function mapServiceConfig(printed: Record<string, unknown>, options: MapOptions): Omit<LocalServiceConfig, 'oslsPrintMs'> {
  const provider = asRecord(printed.provider, 'provider');
  const httpApi = asOptionalRecord(provider.httpApi, 'provider.httpApi');
  if (httpApi.payload !== undefined && String(httpApi.payload) !== '2.0') {
    throw new Error(`provider.httpApi.payload ${String(httpApi.payload)} is not supported locally; the local HTTP API speaks payload format 2.0`);
  }
  const httpApiAuthorizers = mapAuthorizers(asOptionalRecord(httpApi.authorizers, 'provider.httpApi.authorizers'));
  const resources = collectResources(printed.resources);
  const fileExists = options.fileExists ?? existsSync;

  const functions = Object.entries(asOptionalRecord(printed.functions, 'functions')).map(([name, raw]) =>
    mapFunction(name, asRecord(raw, `functions.${name}`), {
      provider,
      root: options.root,
      fileExists,
      authorizers: httpApiAuthorizers,
      service: String(printed.service),
    }),
  );

  return {
    service: String(printed.service),
    stage: String(provider.stage),
    region: String(provider.region),
    functions,
    stateMachines: resourcesOfType(resources, 'AWS::StepFunctions::StateMachine').map(([logicalId, properties]) =>
      mapStateMachine(logicalId, properties),
    ),
    tables: resourcesOfType(resources, 'AWS::DynamoDB::Table').map(([logicalId, properties]) => ({ logicalId, properties })),
    httpApiAuthorizers,
  };
}

interface FunctionContext {
  provider: Record<string, unknown>;
  root: string;
  fileExists: (path: string) => boolean;
  authorizers: Record<string, LocalJwtAuthorizer>;
  service: string;
}

function mapFunction(name: string, fn: Record<string, unknown>, context: FunctionContext): LocalFunction {
  if (typeof fn.handler !== 'string') {
    throw new Error(`Function "${name}" has no handler (container image functions are not supported locally)`);
  }
  const { handlerFile, exportName } = resolveHandler(fn.handler, context.root, context.fileExists, name);
  const events = Array.isArray(fn.events) ? (fn.events as unknown[]) : [];
  return {
    name,
    functionName: typeof fn.name === 'string' ? fn.name : `${context.service}-${String(context.provider.stage)}-${name}`,
    logicalId: functionLogicalId(name),
    handlerFile,
    exportName,
    environment: {
      ...mapEnvironment(context.provider.environment, 'provider.environment'),
      ...mapEnvironment(fn.environment, `functions.${name}.environment`),
    },
    httpRoutes: events.flatMap((event) => {
      const httpApiEvent = asOptionalRecord(event, `functions.${name}.events[]`).httpApi;
      return httpApiEvent === undefined ? [] : [mapHttpRoute(httpApiEvent, name, context.authorizers)];
    }),
    schedules: events.flatMap((event) => {
      const schedule = asOptionalRecord(event, `functions.${name}.events[]`).schedule;
      return schedule === undefined ? [] : mapSchedule(schedule);
    }),
    timeoutSeconds: Number(fn.timeout ?? context.provider.timeout ?? DEFAULT_TIMEOUT_SECONDS),
  };
}

function resolveHandler(handler: string, root: string, fileExists: (path: string) => boolean, name: string) {
  // `functions/health/handler.handler`: module path, then the export after the last dot.
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`Function "${name}" handler "${handler}" is not <file>.<export>`);
  const modulePath = handler.slice(0, dot);
  const base = isAbsolute(modulePath) ? modulePath : resolve(root, modulePath);
  const handlerFile = HANDLER_EXTENSIONS.map((extension) => `${base}${extension}`).find((candidate) => fileExists(candidate));
  if (handlerFile === undefined) {
    throw new Error(`Function "${name}" handler file not found: ${base}{${HANDLER_EXTENSIONS.join(',')}}`);
  }
  return { handlerFile, exportName: handler.slice(dot + 1) };
}

function mapEnvironment(raw: unknown, where: string): Record<string, string | CloudFormationValue> {
  return Object.fromEntries(
    Object.entries(asOptionalRecord(raw, where)).map(([key, value]) => [
      key,
      value !== null && typeof value === 'object' ? (value as CloudFormationValue) : String(value),
    ]),
  );
}

// osls accepts `httpApi: 'GET /path'`, `httpApi: '*'` or `{ method, path, authorizer }`,
// where authorizer is a name or `{ name, scopes }` (lib/plugins/aws/package/compile/events/http-api.js).
function mapHttpRoute(raw: unknown, functionName: string, authorizers: Record<string, LocalJwtAuthorizer>): LocalHttpRoute {
  let method: string;
  let path: string;
  let authorizerConfig: unknown;
  if (typeof raw === 'string') {
    if (raw.trim() === '*') {
      [method, path] = ['ANY', '*'];
    } else {
      const match = /^(\S+)\s+(\/\S*)$/.exec(raw.trim());
      if (!match) throw new Error(`Function "${functionName}": httpApi event "${raw}" is not "<METHOD> <path>"`);
      [method, path] = [match[1] ?? '', match[2] ?? ''];
    }
  } else {
    const event = asRecord(raw, `functions.${functionName}.events[].httpApi`);
    path = String(event.path);
    method = path === '*' ? 'ANY' : String(event.method ?? '');
    authorizerConfig = event.authorizer;
  }
  method = method.toUpperCase() === '*' ? 'ANY' : method.toUpperCase();
  const route: LocalHttpRoute = { method, path };
  if (authorizerConfig === undefined) return route;

  const { name, scopes, type, id } =
    typeof authorizerConfig === 'string' ? { name: authorizerConfig, scopes: undefined, type: undefined, id: undefined } : asRecord(authorizerConfig, 'authorizer');
  if (type === 'aws_iam' || id !== undefined || typeof name !== 'string' || !(name in authorizers)) {
    // Failing here beats serving a protected route without its protection.
    throw new Error(
      `Function "${functionName}" route ${method} ${path}: authorizer ${JSON.stringify(authorizerConfig)} is not a JWT authorizer from provider.httpApi.authorizers; only those are supported locally`,
    );
  }
  route.authorizer = name;
  if (Array.isArray(scopes) && scopes.length > 0) route.scopes = scopes.map(String);
  return route;
}

function mapSchedule(raw: unknown): LocalSchedule[] {
  if (typeof raw === 'string') return [{ rate: raw, enabled: true }];
  const schedule = asRecord(raw, 'schedule');
  const rates = Array.isArray(schedule.rate) ? schedule.rate : [schedule.rate];
  const input = scheduleInput(schedule.input);
  return rates.map((rate) => ({
    rate: String(rate),
    enabled: schedule.enabled !== false,
    ...(input === undefined ? {} : { input }),
  }));
}

// EventBridge delivers the rule's Input JSON parsed. osls writes a string input verbatim
// and an object input JSON-encoded, parsing a string `body` member first.
function scheduleInput(input: unknown): unknown {
  if (typeof input === 'string') {
    try {
      return JSON.parse(input) as unknown;
    } catch {
      return input;
    }
  }
  if (input !== null && typeof input === 'object' && typeof (input as { body?: unknown }).body === 'string') {
    const body = (input as { body: string }).body;
    return { ...input, body: JSON.parse(body) as unknown };
  }
  return input;
}

function mapAuthorizers(raw: Record<string, unknown>): Record<string, LocalJwtAuthorizer> {
  const authorizers: Record<string, LocalJwtAuthorizer> = {};
  for (const [name, value] of Object.entries(raw)) {
    const authorizer = asRecord(value, `provider.httpApi.authorizers.${name}`);
    // Lambda (request) authorizers have a functionName/functionArn and no issuer; routes
    // that use them are rejected in mapHttpRoute.
    if (typeof authorizer.issuerUrl !== 'string') continue;
    const audience = Array.isArray(authorizer.audience) ? authorizer.audience : [authorizer.audience];
    authorizers[name] = {
      issuerUrl: authorizer.issuerUrl,
      audience: audience.filter((entry) => entry !== undefined).map(String),
      identitySource: String(authorizer.identitySource ?? '$request.header.Authorization'),
    };
  }
  return authorizers;
}

function mapStateMachine(logicalId: string, properties: Record<string, unknown>): LocalStateMachine {
  let definition: Record<string, unknown>;
  if (properties.Definition !== undefined) {
    definition = asRecord(properties.Definition, `${logicalId}.Definition`);
  } else if (typeof properties.DefinitionString === 'string') {
    definition = asRecord(JSON.parse(properties.DefinitionString), `${logicalId}.DefinitionString`);
  } else {
    throw new Error(`State machine ${logicalId} needs Definition or a literal DefinitionString locally (DefinitionS3Location and intrinsics are not supported)`);
  }
  return {
    logicalId,
    name: typeof properties.StateMachineName === 'string' ? properties.StateMachineName : logicalId,
    definition,
    substitutions: asOptionalRecord(properties.DefinitionSubstitutions, `${logicalId}.DefinitionSubstitutions`),
  };
}

type Resources = Record<string, Record<string, unknown>>;

// `resources:` is one CloudFormation fragment, or a list of them when written as a list
// of `${file()}`s that osls did not merge.
function collectResources(raw: unknown): Resources {
  const fragments = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const resources: Resources = {};
  for (const fragment of fragments) {
    const section = asOptionalRecord(asOptionalRecord(fragment, 'resources').Resources, 'resources.Resources');
    for (const [logicalId, resource] of Object.entries(section)) {
      resources[logicalId] = asRecord(resource, `resources.Resources.${logicalId}`);
    }
  }
  return resources;
}

function resourcesOfType(resources: Resources, type: string): [string, Record<string, unknown>][] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => [logicalId, asOptionalRecord(resource.Properties, `${logicalId}.Properties`)]);
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`Expected an object at ${where}, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

function asOptionalRecord(value: unknown, where: string): Record<string, unknown> {
  return value === undefined || value === null ? {} : asRecord(value, where);
}
