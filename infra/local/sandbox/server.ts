import { ACCEPT_BACKLOG } from '../accept-backlog.ts';
import { Agent as HttpAgent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { Authorizer } from './authorization/authorizer.ts';
import type { ResourceFacts } from './authorization/catalogue.ts';
import { CallLog, type CallOutcome } from './call-log.ts';
import { SandboxClock } from './clock.ts';
import { accountFor, newRequestId, readSignedIdentity, type CallContext } from './context.ts';
import { ControlRouter } from './control/router.ts';
import { coreControlRoutes } from './control/core-routes.ts';
import { AwsServiceError, UnknownOperationError } from './errors.ts';
import { FaultInjector } from './faults.ts';
import { validateOperationInput } from './model/validate.ts';
import { createModules } from './modules.ts';
import { findHttpRoute } from './raw-routes.ts';
import { parseJsonBody, resolveTarget, writeJsonError, writeJsonSuccess } from './protocols/aws-json.ts';
import { unflattenQueryParameters, writeQueryError, writeQuerySuccess } from './protocols/aws-query.ts';
import { readRestJsonInput, resolveRestJsonOperation, writeRestJsonError, writeRestJsonSuccess, type RestJsonResolution } from './protocols/rest-json.ts';
import {
  DEFAULT_CONFIG,
  type JsonProtocolService,
  type OperationHandler,
  type ProtocolError,
  type QueryProtocolService,
  type RestJsonProtocolService,
  type SandboxConfig,
  type SandboxDeps,
  type SandboxModule,
} from './service.ts';
import { SandboxStore } from './store.ts';

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Where state is persisted; omit to keep everything in memory (tests). */
  statePath?: string;
  config?: Partial<SandboxConfig>;
  /** More emulated services (e.g. the local Step Functions engine), built on the sandbox's store, clock and config. */
  extraModules?: (deps: SandboxDeps) => SandboxModule[];
  /**
   * A DynamoDB endpoint (dynalite) to serve DynamoDB's protocol through the sandbox, so that its
   * calls are authorised like every other AWS call before they are passed on.
   */
  dynamoDbUrl?: string;
}

const CONTROL_PREFIX = '/_sandbox';
const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810.';
/** What every service answers to temporary credentials past their expiration (STS's wording). */
const EXPIRED_TOKEN_MESSAGE = 'The security token included in the request is expired';

/**
 * One HTTP endpoint that speaks the wire protocols of the AWS services we use, plus the control
 * API for what only a human (or a test) can do.
 */
export class Sandbox {
  readonly clock = new SandboxClock();
  readonly faults = new FaultInjector();
  readonly calls = new CallLog();
  /** IAM: calls made with a registered principal's credentials are authorised against its policies. */
  readonly authorizer = new Authorizer();
  /**
   * Called before the control API moves the clock: the local runtime lets the steps in flight
   * finish first, as real time would have, so a wait starts before the time it waits for passes.
   */
  settleBeforeClockMoves: () => Promise<void> = async () => undefined;
  /**
   * Told of each DynamoDB call once DynamoDB has answered it (operation, input, HTTP status): the
   * local runtime follows the request records' writes here, as a DynamoDB stream would show them.
   */
  afterDynamoDbCall: (call: { operation: string; input: Record<string, unknown>; status: number }) => void = () => undefined;
  readonly config: SandboxConfig;
  private readonly resourceFacts: ResourceFacts;
  private readonly dynamoDbUrl: string | undefined;
  readonly store: SandboxStore;
  private readonly modules: SandboxModule[];
  private readonly jsonServices: JsonProtocolService[];
  private readonly queryServices: QueryProtocolService[];
  private readonly restJsonServices: RestJsonProtocolService[];
  private readonly control: ControlRouter;
  private server: Server | undefined;
  private baseUrl = '';

  constructor(options: SandboxOptions = {}) {
    this.config = { ...DEFAULT_CONFIG, ...options.config };
    this.store = new SandboxStore(options.statePath);
    if (options.statePath) this.clock.persistTo(join(dirname(options.statePath), 'clock.json'));
    const deps: SandboxDeps = { store: this.store, clock: this.clock, config: this.config };
    this.modules = [...createModules(deps), ...(options.extraModules?.(deps) ?? [])];
    this.jsonServices = this.modules.flatMap((module) => module.jsonServices ?? []);
    this.dynamoDbUrl = options.dynamoDbUrl;
    const facts = this.modules.map((module) => module.resourceFacts ?? {});
    this.resourceFacts = {
      resourceTags: (arn) => facts.map((fact) => fact.resourceTags?.(arn)).find((tags) => tags !== undefined),
      roleArn: (accountId, roleName) => facts.map((fact) => fact.roleArn?.(accountId, roleName)).find((arn) => arn !== undefined),
      hostHasVpc: (arn) => facts.map((fact) => fact.hostHasVpc?.(arn)).find((answer) => answer !== undefined),
      repositoryLinkArn: (accountId, region, id) =>
        facts.map((fact) => fact.repositoryLinkArn?.(accountId, region, id)).find((arn) => arn !== undefined),
    };
    this.queryServices = this.modules.flatMap((module) => module.queryServices ?? []);
    this.restJsonServices = this.modules.flatMap((module) => module.restJsonServices ?? []);
    for (const module of this.modules) if (module.principals) this.authorizer.addPrincipalSource(module.principals);
    this.control = new ControlRouter(this.config, [
      ...coreControlRoutes(this),
      ...this.modules.flatMap((module) => module.controlRoutes ?? []),
    ]);
  }

  static async start(options: SandboxOptions = {}): Promise<Sandbox> {
    const sandbox = new Sandbox(options);
    await sandbox.listen(options.port ?? 4566, options.host ?? '127.0.0.1');
    return sandbox;
  }

  get url(): string {
    return this.baseUrl;
  }

  inventory(): Record<string, unknown> {
    return Object.assign({}, ...this.modules.map((module) => module.inventory?.() ?? {}));
  }

  controlRoutes(): { method: string; path: string; summary: string }[] {
    return this.control.describe();
  }

  async listen(port: number, host: string): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        console.error('sandbox: unhandled error', error);
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'InternalError', message: 'sandbox failure' } }));
      });
    });
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen({ port, host, backlog: ACCEPT_BACKLOG }, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    this.store.flush();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const [path = '/', query = ''] = (request.url ?? '/').split('?');
    if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
      return this.control.handle(request, response, path.slice(CONTROL_PREFIX.length) || '/', body);
    }
    // Non-AWS protocols (the fake Slack Web API) own their path prefixes; see raw-routes.ts.
    const httpRoute = findHttpRoute(this.modules, path);
    if (httpRoute) return httpRoute.handle(request, response, body);
    // restJson1 services (RAM) name the operation by method and path.
    const restJson = resolveRestJsonOperation(this.restJsonServices, request.method ?? 'GET', path);
    if (restJson) return this.handleRestJson(request, response, restJson, query, body);
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string' && this.dynamoDbUrl && target.startsWith(DYNAMODB_TARGET_PREFIX)) {
      return this.passToDynamoDb(request, response, target, body);
    }
    if (typeof target === 'string') return this.handleJson(request, response, target, body);
    const contentType = String(request.headers['content-type'] ?? '');
    if (request.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
      return this.handleQuery(request, response, body);
    }
    const text = JSON.stringify({ error: { code: 'NotFound', message: `Nothing is served at ${request.method} ${path}` } });
    response.writeHead(404, { 'content-type': 'application/json' }).end(text);
  }

  private async handleJson(request: IncomingMessage, response: ServerResponse, target: string, body: string): Promise<void> {
    const requestId = newRequestId();
    const resolved = resolveTarget(this.jsonServices, target);
    if (!resolved) return writeJsonError(response, undefined, requestId, new UnknownOperationError(target));
    const { service, operation } = resolved;
    const handler = service.operations[operation];
    const call = this.callContext(request, service.name, operation, requestId);
    if (!service.model.hasOperation(operation) || !handler) {
      this.calls.record(service.name, operation, 'client-error', call.accountId);
      return writeJsonError(response, service, requestId, new UnknownOperationError(target));
    }
    try {
      const output = await this.invoke(service, handler, call, () => {
        this.authenticate(call, 'ExpiredTokenException', 400);
        const input = parseJsonBody(body);
        validateOperationInput(service.model, operation, input, service.validationOverrides);
        this.authorize(call, input, 'AccessDeniedException', 400);
        return input;
      });
      writeJsonSuccess(response, service.contentType, requestId, output);
    } catch (error) {
      writeJsonError(response, service, requestId, asServiceError(error));
    }
  }

  private async handleQuery(request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    const requestId = newRequestId();
    const { signingService } = readSignedIdentity(request.headers);
    const { action, input } = unflattenQueryParameters(new URLSearchParams(body));
    const service =
      this.queryServices.find((candidate) => candidate.signingName === signingService) ??
      this.queryServices.find((candidate) => action !== undefined && action in candidate.operations);
    const handler = service && action ? service.operations[action] : undefined;
    if (!service || !action || !handler) {
      const error = new AwsServiceError('InvalidAction', `Could not find operation ${action ?? '(none)'}`, 400);
      return writeQueryError(response, service, requestId, error);
    }
    const call = this.callContext(request, service.name, action, requestId);
    try {
      const output = await this.invoke(service, handler, call, () => {
        this.authenticate(call, 'ExpiredToken', 403);
        this.authorize(call, input, 'AccessDenied', 403);
        return input;
      });
      writeQuerySuccess(response, service, action, requestId, output);
    } catch (error) {
      writeQueryError(response, service, requestId, asServiceError(error));
    }
  }

  /**
   * restJson1 (RAM): the same path as awsJson, in restJson1's error form. Expired temporary
   * credentials get `ExpiredTokenException` with 403, as restJson1 services answer them (Lambda:
   * cloudquery/cq-provider-aws#1171); IAM's refusal is `AccessDeniedException` with 403, as RAM
   * answers it (hashicorp/terraform-provider-aws#27764).
   */
  private async handleRestJson(request: IncomingMessage, response: ServerResponse, resolved: RestJsonResolution, query: string, body: string): Promise<void> {
    const requestId = newRequestId();
    const { service, operation, binding } = resolved;
    if (operation === undefined) {
      const error = new AwsServiceError('UnknownOperationException', `Unknown operation ${request.method} ${request.url?.split('?')[0]}`, 404);
      return writeRestJsonError(response, service, requestId, error);
    }
    const handler = service.operations[operation];
    const call = this.callContext(request, service.name, operation, requestId);
    if (!handler) {
      this.calls.record(service.name, operation, 'client-error', call.accountId);
      const error = new AwsServiceError('UnknownOperationException', `The sandbox does not implement ${service.name}:${operation}`, 400);
      return writeRestJsonError(response, service, requestId, error);
    }
    try {
      const output = await this.invoke(service, handler, call, () => {
        this.authenticate(call, 'ExpiredTokenException', 403);
        const input = readRestJsonInput(service, binding, body, query);
        this.authorize(call, input, 'AccessDeniedException', 403);
        return input;
      });
      writeRestJsonSuccess(response, requestId, output);
    } catch (error) {
      // An unexpected failure (logged) is the service's own internal error.
      const failure = asServiceError(error);
      writeRestJsonError(response, service, requestId, error instanceof AwsServiceError ? failure : fromProtocolError(service.serverError));
    }
  }

  /**
   * Faults (TPS counted per the caller's account and Region), input checks, the operation itself,
   * and the call log (per account too): the same for every protocol.
   */
  private async invoke(
    service: { name: string; throttling: ProtocolError; serverError: ProtocolError },
    handler: OperationHandler,
    call: CallContext,
    readInput: () => Record<string, unknown>,
  ): Promise<unknown> {
    let outcome: CallOutcome = 'ok';
    try {
      const fault = await this.faults.decide(service.name, call.operation, { accountId: call.accountId, region: call.region });
      if (fault === 'throttle') throw fromProtocolError(service.throttling);
      if (fault === 'server-error') throw fromProtocolError(service.serverError);
      const input = readInput();
      // Reads change nothing; any other operation says what it changed, or the store compares what it fetched.
      if (/^(Get|List|Describe|BatchGet)/.test(call.operation)) return await handler(input, call);
      const result = await this.store.changesOf(() => handler(input, call));
      this.calls.recordChange(service.name, call.operation, input, call.accountId);
      return result;
    } catch (error) {
      const status = asServiceError(error).status ?? 400;
      outcome = error instanceof AwsServiceError && error.code === service.throttling.code ? 'throttled' : status >= 500 ? 'server-error' : 'client-error';
      throw error;
    } finally {
      this.calls.record(service.name, call.operation, outcome, call.accountId);
    }
  }

  /**
   * A registered principal's key acts in the principal's account (an STS session in the role's);
   * any other key names its account by its twelve digits, or is the default account's.
   */
  private callContext(request: IncomingMessage, endpoint: string, operation: string, requestId: string): CallContext {
    const identity = readSignedIdentity(request.headers);
    const principal = this.authorizer.principal(identity.accessKeyId);
    return {
      accountId: principal?.accountId ?? accountFor(identity.accessKeyId, this.config.defaultAccountId),
      region: identity.region ?? this.config.defaultRegion,
      endpoint,
      operation,
      requestId,
      accessKeyId: identity.accessKeyId,
      principalArn: principal?.arn,
    };
  }

  /**
   * Authentication, before IAM's authorisation: temporary credentials past their expiration (on
   * the sandbox clock) are refused by every service, whether or not enforcement is on. Each
   * protocol has its own code: `ExpiredTokenException` (400) for awsJson, `ExpiredToken` (403) for
   * the query services, `ExpiredTokenException` (403) for restJson1.
   */
  private authenticate(call: CallContext, code: string, status: number): void {
    if (this.credentialsExpired(call)) throw new AwsServiceError(code, EXPIRED_TOKEN_MESSAGE, status);
  }

  private credentialsExpired(call: CallContext): boolean {
    const expiresAtMs = this.authorizer.principal(call.accessKeyId)?.expiresAtMs;
    return expiresAtMs !== undefined && this.clock.nowMs() >= expiresAtMs;
  }

  /** IAM's check of the caller's policies, before the operation runs: AWS's AccessDenied in the protocol's form. */
  private authorize(call: CallContext, input: Record<string, unknown>, code: string, status: number): void {
    const refusal = this.authorizer.check(call.accessKeyId, { ...call, input, facts: this.resourceFacts });
    if (refusal) throw new AwsServiceError(code, refusal.message, status);
  }

  /**
   * DynamoDB's JSON protocol, authorised here and then served by dynalite unchanged. A refusal is
   * DynamoDB's own: `com.amazon.coral.service#AccessDeniedException`, 400.
   */
  private async passToDynamoDb(request: IncomingMessage, response: ServerResponse, target: string, body: string): Promise<void> {
    const operation = target.slice(DYNAMODB_TARGET_PREFIX.length);
    const call = this.callContext(request, 'dynamodb', operation, newRequestId());
    let input: Record<string, unknown> = {};
    try {
      input = JSON.parse(body || '{}') as Record<string, unknown>;
    } catch {
      // dynalite answers malformed JSON itself
    }
    if (this.credentialsExpired(call)) {
      const text = JSON.stringify({ __type: 'com.amazon.coral.service#ExpiredTokenException', message: EXPIRED_TOKEN_MESSAGE });
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': call.requestId }).end(text);
      return;
    }
    const refusal = this.authorizer.check(call.accessKeyId, { ...call, input, facts: this.resourceFacts });
    if (refusal) {
      const text = JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: refusal.message });
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': call.requestId }).end(text);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'x-amz-target', 'authorization', 'x-amz-date', 'x-amz-security-token']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await postToDynalite(this.dynamoDbUrl!, headers, body);
    const passed: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (typeof value === 'string' && !['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)) passed[name] = value;
    }
    response.writeHead(answer.status, passed).end(answer.body);
    try {
      this.afterDynamoDbCall({ operation, input, status: answer.status });
    } catch (error) {
      console.error('sandbox: a DynamoDB observer failed', error);
    }
  }
}

function fromProtocolError({ code, status, message }: ProtocolError): AwsServiceError {
  return new AwsServiceError(code, message, status);
}

function asServiceError(error: unknown): AwsServiceError {
  if (error instanceof AwsServiceError) return error;
  console.error('sandbox: operation failed unexpectedly', error);
  return new AwsServiceError('InternalFailure', 'The request processing has failed because of an unknown error.', 500);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * dynalite works one request at a time; a burst of table calls (the fleet audit's cache writes from
 * every account at once) given a connection each would only queue thousands of sockets in its accept
 * queue and starve every other caller of the sandbox. A few kept-alive connections carry them all.
 */
const dynaliteAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });

function postToDynalite(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent: dynaliteAgent }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 500, headers: answer.headers, body: Buffer.concat(chunks) }));
      answer.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
