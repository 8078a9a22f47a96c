/**
 * `npm run demo`: one whole request, narrated, against a fresh in-memory local system: what the
 * requester asks, what the GHES admin and the approver are told, what they do in the console
 * (simulated through the sandbox), and how the request ends.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalSystem } from '../infra/local/local-system.ts';
import { mintToken } from '../infra/local/runtime/jwt.ts';
import { parseCommandLine } from './cli.ts';

const USAGE = [
  'usage: npm run demo',
  '  runs one whole connection request, narrated, against a fresh in-memory local system (no flags;',
  '  it needs no running `npm start` and leaves .local/ state alone)',
].join('\n');
parseCommandLine(USAGE, () => parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));

const system = await startLocalSystem({ root: fileURLToPath(new URL('..', import.meta.url)), apiPort: 0, sandboxPort: 0, persist: false });
interface RequestView {
  requestId: string;
  status: string;
  currentStep: string;
  hostArn: string;
  connectionArn: string;
  waitingFor: { what: string; who: string; link: string };
  timeline: { at: string; step: string; actor: string; message: string }[];
}
interface SlackMessages {
  messages: { ts: string; text: string }[];
}

const say = (text: string) => console.log(`\n▶ ${text}`);
const show = (label: string, value: unknown) => console.log(`  ${label}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);

async function api(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${system.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as RequestView };
}
async function sandbox(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${system.sandbox.url}/_sandbox${path}`, { method, body: body ? JSON.stringify(body) : undefined });
  return response.json();
}
async function slackMessages(query: string) {
  return ((await sandbox('GET', `/slack/messages?${query}`)) as SlackMessages).messages;
}
async function waitFor(requestId: string, token: string, accept: (request: RequestView) => boolean) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { body } = await api('GET', `/v1/connection-requests/${requestId}`, token);
    if (accept(body)) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the request did not get there');
}

try {
  const alice = await mintToken({ sub: 'alice@example.com', email: 'alice@example.com' });
  say('A pipeline exists in the account (seeded in the sandbox): "payments", sourced from GitHub, with its service role.');
  await sandbox('POST', '/roles', { roleName: 'AWSCodePipelineServiceRole-us-east-1-payments', path: '/service-role/' });
  await sandbox('POST', '/pipelines', { name: 'payments' });

  say('Alice asks for a connection to https://ghe.example.com for the payments pipeline.');
  const created = await api(
    'POST',
    '/v1/connection-requests',
    alice,
    { providerEndpoint: 'https://ghe.example.com', pipeline: { name: 'payments', fullRepositoryId: 'platform/payments', branchName: 'main' } },
    { 'idempotency-key': 'demo-1' },
  );
  show('HTTP', created.status);
  show('request', created.body.requestId);
  const requestId = created.body.requestId as string;

  say('The broker creates the host; only a GHES admin can finish it in the console. It says so, and where:');
  const waiting = await waitFor(requestId, alice, (request) => request.status === 'WAITING_FOR_HOST_SETUP');
  show('status', `${waiting.status} (${waiting.currentStep})`);
  show('waiting for', waiting.waitingFor.what);
  show('who', waiting.waitingFor.who);
  show('console', waiting.waitingFor.link);
  const hostNotice = (await slackMessages('channel=C0HOSTADMINS')).at(-1);
  show('Slack to GHES admins', hostNotice?.text);

  say('30 minutes later the admin chooses "Set up host" (simulated); the broker notices on its next poll.');
  await sandbox('POST', '/clock/advance', { seconds: 1800 });
  await sandbox('POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
  await sandbox('POST', '/clock/advance', { seconds: 600 });
  const approving = await waitFor(requestId, alice, (request) => request.status === 'WAITING_FOR_APPROVAL');
  show('status', approving.status);
  show('connection', approving.connectionArn);
  const approvalMessage = (await slackMessages('channel=C0APPROVALS')).at(-1)!;
  show('Slack to approvers', approvalMessage.text);

  say('An approver clicks Approve before the org owner finished the handshake: nothing resumes, and they are told why.');
  await sandbox('POST', '/slack/click', { channel: 'C0APPROVALS', ts: approvalMessage.ts, actionId: 'approve', userId: 'U0APPROVER' });
  show('ephemeral answer', (await slackMessages('kind=response')).at(-1)?.text);

  say('The org owner finishes "Update pending connection" in the console (simulated); the approver clicks Approve again.');
  await sandbox('POST', '/connections/complete-handshake', { connectionArn: approving.connectionArn });
  await sandbox('POST', '/slack/click', { channel: 'C0APPROVALS', ts: approvalMessage.ts, actionId: 'approve', userId: 'U0APPROVER' });
  const done = await waitFor(requestId, alice, (request) => request.status === 'COMPLETED');

  say(`The request is ${done.status}. Its timeline:`);
  for (const entry of done.timeline) console.log(`  ${entry.at}  ${entry.step.padEnd(10)} ${entry.actor.padEnd(18)} ${entry.message}`);
  const pipeline = await fetch(system.sandbox.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CodePipeline_20150709.GetPipeline' },
    body: JSON.stringify({ name: 'payments' }),
  }).then((response) => response.json() as Promise<{ pipeline: { stages: { actions: { configuration: Record<string, string> }[] }[] } }>);
  show('payments source action', pipeline.pipeline.stages[0]!.actions[0]!.configuration);
} finally {
  await system.close();
}
