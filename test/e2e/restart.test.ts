import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodeStarConnectionsClient, GetHostCommand, ResourceNotFoundException } from '@aws-sdk/client-codestar-connections';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalSystem, type LocalSystem } from '../../infra/local/local-system.ts';
import { api, eventually, sandboxControl, tokenFor } from './local-system.ts';

/**
 * A restart of `npm start` loses nothing (issue 11, item 13): executions live in the process, so
 * on start the local runtime takes up every request a previous run left in flight, from its record,
 * on the sandbox clock the previous run left behind. Three requests are stopped mid-way (waiting
 * for the host, waiting for the handshake, rolling back a cancel) and each ends as it would have.
 */

interface RequestBody {
  requestId: string;
  status: string;
  hostArn?: string;
  connectionArn?: string;
  timeline: { step: string; message: string }[];
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const stateDirectory = mkdtempSync(join(tmpdir(), 'broker-restart-'));
let system: LocalSystem | undefined;

afterAll(async () => {
  await system?.close();
  rmSync(stateDirectory, { recursive: true, force: true });
});

async function start(): Promise<LocalSystem> {
  return startLocalSystem({ root: ROOT, apiPort: 0, sandboxPort: 0, persist: true, packaged: true, stateDirectory });
}

describe('a restart of the local system', () => {
  it('takes up every request in flight where its record stands, and each ends as it would have', async () => {
    let current = (system = await start());
    const alice = await tokenFor('alice@example.com');
    const read = async (requestId: string) => (await api<RequestBody>(current, 'GET', `/v1/connection-requests/${requestId}`, { token: alice })).body;
    const inStatus = (requestId: string, status: string) => eventually(() => read(requestId), (request) => request.status === status, `${requestId} ${status}`, 30_000);
    const ask = async (providerEndpoint: string, key: string) => {
      const answer = await api<RequestBody>(current, 'POST', '/v1/connection-requests', { token: alice, body: { providerEndpoint }, idempotencyKey: key });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      return answer.body.requestId;
    };
    const advance = (seconds: number) => sandboxControl(current, 'POST', '/clock/advance', { seconds });

    await sandboxControl(current, 'PUT', '/clock', { frozen: true });
    const hostWait = await ask('https://restart-host.example.com', 'restart-1');
    const handshakeWait = await ask('https://restart-handshake.example.com', 'restart-2');
    const cancelled = await ask('https://restart-cancel.example.com', 'restart-3');
    await inStatus(hostWait, 'WAITING_FOR_HOST_SETUP');
    const handshakeHost = await inStatus(handshakeWait, 'WAITING_FOR_HOST_SETUP');
    const cancelledHost = await inStatus(cancelled, 'WAITING_FOR_HOST_SETUP');
    await sandboxControl(current, 'POST', '/hosts/complete-setup', { hostArn: handshakeHost.hostArn });
    await advance(60);
    const handshake = await inStatus(handshakeWait, 'WAITING_FOR_APPROVAL');
    // The cancel's rollback waits 60 s of sandbox time for stopped steps; the frozen clock keeps it there.
    expect((await api(current, 'POST', `/v1/connection-requests/${cancelled}/cancel`, { token: alice })).status).toBe(202);
    await inStatus(cancelled, 'ROLLING_BACK');
    const clockBefore = (await sandboxControl<{ epochSeconds: number }>(current, 'GET', '/clock')).epochSeconds;

    await current.close();
    system = undefined;
    current = system = await start();

    // The sandbox clock goes on from where it stood (still frozen), not from the machine's time.
    expect((await sandboxControl<{ epochSeconds: number }>(current, 'GET', '/clock')).epochSeconds).toBe(clockBefore);

    // Waiting for the host: the admin sets it up after the restart, and the next sweep notices.
    await sandboxControl(current, 'POST', '/hosts/complete-setup', { hostArn: (await read(hostWait)).hostArn });
    await advance(60);
    const hostDone = await inStatus(hostWait, 'WAITING_FOR_APPROVAL');

    // Waiting for the handshake: the org owner finishes it after the restart; nobody clicks anything.
    for (const request of [handshake, hostDone]) {
      await sandboxControl(current, 'POST', '/connections/complete-handshake', { connectionArn: request.connectionArn });
    }
    await advance(60);
    const completed = await inStatus(handshakeWait, 'COMPLETED');
    await inStatus(hostWait, 'COMPLETED');
    // Taken up, not started over: one connection, the approvers asked once.
    expect(completed.connectionArn).toBe(handshake.connectionArn);
    expect(completed.timeline.filter((entry) => entry.step === 'connection' && entry.message.startsWith('Created connection'))).toHaveLength(1);
    const { messages } = await sandboxControl<{ messages: { kind: string; text?: string }[] }>(current, 'GET', '/slack/messages?channel=C0APPROVALS');
    const asked = (connectionArn: string) =>
      messages.filter((message) => message.kind === 'post' && message.text?.startsWith('Approval needed') && JSON.stringify(message).includes(connectionArn.split('/').at(-1)!));
    expect(asked(handshake.connectionArn!)).toHaveLength(1);
    expect(asked(hostDone.connectionArn!)).toHaveLength(1);

    // Rolling back a cancel: it finishes, and what the request made is gone.
    await advance(60);
    const rolledBack = await inStatus(cancelled, 'CANCELLED');
    expect(rolledBack.timeline.map((entry) => entry.message)).toContain(`Deleted host ${cancelledHost.hostArn}.`);
    const connections = new CodeStarConnectionsClient({ endpoint: current.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      await expect(connections.send(new GetHostCommand({ HostArn: cancelledHost.hostArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    } finally {
      connections.destroy();
    }
  }, 120_000);
});
