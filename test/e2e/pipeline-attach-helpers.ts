import { CodePipelineClient, GetPipelineCommand, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import { api, eventually, sandboxControl, startSystem, tokenFor } from './local-system.ts';

/** Helpers of the pipeline-attach end-to-end tests: one local system per file, seeding, and driving a request. */

export interface RequestBody {
  requestId: string;
  status: string;
  hostArn?: string;
  connectionArn?: string;
  failure?: { code: string; message: string };
  timeline: { step: string; actor: string; message: string }[];
  pipelineAttachment?: {
    stageName: string;
    actionName: string;
    pipelineVersion: number;
    changed: boolean;
    concurrentEdits?: number;
    grantedPolicies: { roleArn: string; policyName: string; purpose: string }[];
    missingPermissions: { roleArn: string; purpose: string; missing: string[]; detail: string }[];
    firstRun?: { how: string; pipelineExecutionId?: string; status: string; reason?: string; retries?: number; lastError?: string };
  };
}

export const ACCOUNT = '111111111111';
export const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/service-role/${name}`;

let keys = 0;

/** A fresh Idempotency-Key. */
export function nextKey(): string {
  return `attach-${++keys}`;
}

/** One local system and the clients and steps the tests drive it with. */
export function harness(environment: Record<string, string> = {}) {
  const h = {
    system: undefined as unknown as LocalSystem,
    alice: '',
    admin: '',
    pipelines: undefined as unknown as CodePipelineClient,
    iam: undefined as unknown as IAMClient,
  };
  beforeAll(async () => {
    h.system = await startSystem(environment);
    h.alice = await tokenFor('alice@example.com');
    h.admin = await tokenFor('root@example.com', true);
    const aws = { endpoint: h.system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    h.pipelines = new CodePipelineClient(aws);
    h.iam = new IAMClient(aws);
  }, 60_000);
  afterAll(async () => {
    h.pipelines?.destroy();
    h.iam?.destroy();
    await h.system?.close();
  });
  afterEach(async () => {
    await sandboxControl(h.system, 'DELETE', '/faults');
    await sandboxControl(h.system, 'PUT', '/config', { iamPropagationSeconds: 0 });
  });
  return h;
}

export type Harness = ReturnType<typeof harness>;

export const read = (h: Harness, requestId: string) => async () => (await api<RequestBody>(h.system, 'GET', `/v1/connection-requests/${requestId}`, { token: h.alice })).body;
export const inStatus = (h: Harness, requestId: string, status: string) =>
  eventually(read(h, requestId), (request) => request.status === status, `request ${requestId} to be ${status}`);

export async function seedRole(h: Harness, roleName: string, inlinePolicies?: Record<string, unknown>): Promise<string> {
  await sandboxControl(h.system, 'POST', '/roles', { roleName, path: '/service-role/', ...(inlinePolicies ? { inlinePolicies } : {}) });
  return roleArn(roleName);
}

/** A pipeline as a platform team has it: an S3 source, then a CodeBuild build of its output. */
export function pipelineDeclaration(name: string, options: { role: string; project?: string; pipelineType?: 'V1' | 'V2' }): PipelineDeclaration {
  return {
    name,
    roleArn: options.role,
    artifactStore: { type: 'S3', location: 'artifacts-bucket' },
    pipelineType: options.pipelineType ?? 'V2',
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'App',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
            configuration: { S3Bucket: 'source-bucket', S3ObjectKey: 'app.zip', PollForSourceChanges: 'false' },
            outputArtifacts: [{ name: 'SourceArtifact' }],
            namespace: 'SourceVariables',
          },
        ],
      },
      {
        name: 'Build',
        actions: [
          {
            name: 'Build',
            actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
            configuration: { ProjectName: options.project ?? `${name}-build` },
            inputArtifacts: [{ name: 'SourceArtifact' }],
            outputArtifacts: [{ name: 'BuildArtifact' }],
          },
        ],
      },
    ],
  };
}

export async function seedPipeline(h: Harness, declaration: PipelineDeclaration): Promise<PipelineDeclaration> {
  await sandboxControl(h.system, 'POST', '/pipelines', { declaration });
  return (await h.pipelines.send(new GetPipelineCommand({ name: declaration.name }))).pipeline!;
}

/** A request for the pipeline; `fields` adds to or overrides the body's other fields (another `providerEndpoint`, a `providerType`). */
export async function requestConnection(h: Harness, pipeline: Record<string, unknown>, fields: Record<string, unknown> = {}): Promise<RequestBody> {
  const answer = await api<RequestBody>(h.system, 'POST', '/v1/connection-requests', {
    token: h.alice,
    body: { providerEndpoint: 'https://ghe.example.com', pipeline, ...fields },
    idempotencyKey: nextKey(),
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body;
}

/** The GHES admin sets up the host (if new); the request then waits for the handshake and approval. */
export async function untilApproval(h: Harness, request: RequestBody): Promise<RequestBody> {
  const waiting = await eventually(
    read(h, request.requestId),
    (current) => current.status === 'WAITING_FOR_HOST_SETUP' || current.status === 'WAITING_FOR_APPROVAL',
    'host set-up or approval',
  );
  if (waiting.status === 'WAITING_FOR_HOST_SETUP') {
    await sandboxControl(h.system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    // The clock moves once the step in flight has finished (the runtime settles first), so the poll's Wait has begun.
    await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 3600 });
  }
  return inStatus(h, request.requestId, 'WAITING_FOR_APPROVAL');
}

/** The org owner finishes the handshake and an admin approves: the workflow goes on to attach. */
export async function approve(h: Harness, request: RequestBody): Promise<void> {
  await sandboxControl(h.system, 'POST', '/connections/complete-handshake', { connectionArn: request.connectionArn });
  const approved = await api(h.system, 'POST', `/v1/connection-requests/${request.requestId}/approve`, { token: h.admin });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
}

export async function policyOf(h: Harness, roleName: string, policyName: string): Promise<{ Statement: { Action: string[]; Resource: string[] }[] }> {
  const { PolicyDocument } = await h.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
  return JSON.parse(decodeURIComponent(PolicyDocument!)) as { Statement: { Action: string[]; Resource: string[] }[] };
}

export async function callCount(h: Harness, service: string, operation: string): Promise<number> {
  const { calls } = await sandboxControl<{ calls: { service: string; operation: string; ok: number }[] }>(h.system, 'GET', '/calls');
  return calls.find((call) => call.service === service && call.operation === operation)?.ok ?? 0;
}

export const withoutVersion = ({ version: _version, ...declaration }: PipelineDeclaration) => declaration;
export const codeconnectionsSpelling = (arn: string) => arn.replace(':codestar-connections:', ':codeconnections:');

