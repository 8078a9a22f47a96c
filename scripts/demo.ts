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
  '  it needs no running `npm start` and leaves .local/ state alone). Each step of the request prints',
  "  one line as it happens; LOG_FORMAT=json npm run demo adds the functions' JSON logs and metrics",
].join('\n');
parseCommandLine(USAGE, () => parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));

const system = await startLocalSystem({
  root: fileURLToPath(new URL('..', import.meta.url)),
  apiPort: 0,
  sandboxPort: 0,
  persist: false,
  // The request's steps, one line each, as `npm start` prints them, under the narration.
  log: (line) => console.log(`    ${line}`),
});
interface RequestView {
  requestId: string;
  status: string;
  currentStep: string;
  hostArn: string;
  connectionArn: string;
  waitingFor: { what: string; who: string; link: string };
}
interface SlackMessages {
  messages: { kind: string; ts: string; text: string; shown?: string }[];
}
interface ClickAnswer {
  status: number;
  shown: string[];
}

const say = (text: string) => console.log(`\n▶ ${text}`);
const show = (label: string, value: string | number) => console.log(`  ${label}: ${value}`);

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
/** The channel's latest message as people read it in Slack (mentions shown as names); with `ts`, that message as it reads now. */
async function slackMessage(channel: string, ts?: string) {
  const { messages } = (await sandbox('GET', `/slack/messages?channel=${channel}`)) as SlackMessages;
  const message = ts ? messages.filter((candidate) => candidate.ts === ts && ['post', 'update'].includes(candidate.kind)).at(-1) : messages.filter((candidate) => candidate.kind === 'post').at(-1);
  return message && { ts: message.ts, text: message.shown ?? message.text };
}
async function click(ts: string, actionId: string, userId: string): Promise<ClickAnswer> {
  return (await sandbox('POST', '/slack/click', { channel: 'C0APPROVALS', ts, actionId, userId })) as ClickAnswer;
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
  const requestId = created.body.requestId;

  say('The broker creates the host; only a GHES admin can finish it in the console. It says so, and where:');
  const waiting = await waitFor(requestId, alice, (request) => request.status === 'WAITING_FOR_HOST_SETUP');
  show('status', `${waiting.status} (${waiting.currentStep})`);
  show('waiting for', waiting.waitingFor.what);
  show('who', waiting.waitingFor.who);
  show('console', waiting.waitingFor.link);
  show('Slack to GHES admins', (await slackMessage('C0HOSTADMINS'))?.text ?? '(nothing)');

  say('30 minutes later the admin chooses "Set up host" (simulated); the broker notices on its next look, within a minute.');
  await sandbox('POST', '/clock/advance', { seconds: 1800 });
  await sandbox('POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
  await sandbox('POST', '/clock/advance', { seconds: 60 });
  const approving = await waitFor(requestId, alice, (request) => request.status === 'WAITING_FOR_APPROVAL');
  show('status', approving.status);
  show('connection', approving.connectionArn);
  const approvalMessage = (await slackMessage('C0APPROVALS'))!;
  show('Slack to approvers', approvalMessage.text);

  say('Ada, an approver, presses "Done — check now" before the org owner finished the handshake: nothing resumes, and she is told why.');
  for (const line of (await click(approvalMessage.ts, 'check_now', 'U0APPROVER')).shown) show('Ada sees', line);

  say(
    'The org owner finishes "Update pending connection" in the console (simulated); Ada presses "Done — check now" again. ' +
      'The finished handshake is the approval (APPROVAL_MODE=handshake): the request goes on to the pipeline.',
  );
  await sandbox('POST', '/connections/complete-handshake', { connectionArn: approving.connectionArn });
  for (const line of (await click(approvalMessage.ts, 'check_now', 'U0APPROVER')).shown) show('Ada sees', line);
  const done = await waitFor(requestId, alice, (request) => ['COMPLETED', 'FAILED', 'ROLLED_BACK'].includes(request.status));

  say(`The request is ${done.status}; each line above is one step of its timeline (GET /v1/connection-requests/${requestId} has them all).`);
  show("the approvers' Slack message now", (await slackMessage('C0APPROVALS', approvalMessage.ts))?.text ?? '(deleted)');
  const pipeline = await fetch(system.sandbox.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CodePipeline_20150709.GetPipeline' },
    body: JSON.stringify({ name: 'payments' }),
  }).then((response) => response.json() as Promise<{ pipeline: { stages: { actions: { name: string; actionTypeId: { provider: string }; configuration: Record<string, string> }[] }[] } }>);
  const source = pipeline.pipeline.stages[0]!.actions[0]!;
  show('payments source action', `${source.name} (${source.actionTypeId.provider})`);
  for (const [key, value] of Object.entries(source.configuration)) show(`  ${key}`, value);
} finally {
  await system.close();
}
