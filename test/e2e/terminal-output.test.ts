import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import type { SlackMessageView } from '../../infra/local/sandbox/services/slack/control-routes.ts';
import { api, eventually, sandboxControl, startSystem, tokenFor } from './local-system.ts';

/**
 * The terminal is for people (issue 11, item 15): by default the local system prints one readable
 * line per step of each request and the functions' warnings readably, never their JSON logs or
 * EMF metric lines; a click in the fake Slack answers briefly, naming people as Slack shows them.
 * (LOG_FORMAT=json, the functions' own lines unchanged, is what approvals.test.ts and
 * audit.test.ts run with: they read the JSON logs and the metrics.)
 */

interface RequestBody {
  requestId: string;
  status: string;
  hostArn?: string;
  connectionArn?: string;
  connectionName: string;
  timeline: { at: string; step: string; actor: string; message: string }[];
}

interface ClickAnswer {
  status: number;
  elapsedMs: number;
  deliveryId: string;
  shown: string[];
  payload?: unknown;
}

let system: LocalSystem;
let alice: string;
/** What `log` received: the lines `npm start` prints for people. */
const lines: string[] = [];
/** Everything else this process printed meanwhile (the functions' output among it). */
const printed: string[] = [];
let restore: () => void = () => undefined;

beforeAll(async () => {
  // The default, whatever the shell running the tests has set.
  vi.stubEnv('LOG_FORMAT', '');
  restore = capture();
  system = await startSystem({}, { log: (line) => lines.push(line) });
  alice = await tokenFor('alice@example.com');
}, 60_000);

afterAll(async () => {
  await system?.close();
  restore();
  vi.unstubAllEnvs();
});

function capture(): () => void {
  const undo: (() => void)[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    undo.push(() => {
      stream.write = original;
    });
  }
  return () => undo.forEach((step) => step());
}

const read = (requestId: string) => async () => (await api<RequestBody>(system, 'GET', `/v1/connection-requests/${requestId}`, { token: alice })).body;
const inStatus = (requestId: string, status: string) => eventually(read(requestId), (request) => request.status === status, `request ${requestId} to be ${status}`);
const check = (requestId: string) => api(system, 'POST', `/v1/connection-requests/${requestId}/check`, { token: alice });

describe('the terminal, by default', () => {
  let done: RequestBody;
  let strangerAnswer: ClickAnswer;

  beforeAll(async () => {
    const created = await api<RequestBody>(system, 'POST', '/v1/connection-requests', {
      token: alice,
      body: { providerEndpoint: 'https://terminal.example.com' },
      idempotencyKey: 'terminal-1',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const { requestId } = created.body;
    const waiting = await inStatus(requestId, 'WAITING_FOR_HOST_SETUP');
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    await check(requestId);
    const approving = await inStatus(requestId, 'WAITING_FOR_APPROVAL');

    // Someone who may not decide clicks Reject: refused privately, and the function logs a warning.
    const message = await eventually(
      async () => (await sandboxControl<{ messages: SlackMessageView[] }>(system, 'GET', '/slack/messages?channel=C0APPROVALS&kind=post')).messages.find((event) => event.text?.includes(approving.connectionName)),
      (found) => found !== undefined,
      'the approval request in Slack',
    );
    strangerAnswer = await sandboxControl<ClickAnswer>(system, 'POST', '/slack/click', { channel: 'C0APPROVALS', ts: message!.ts, actionId: 'reject', userId: 'U0STRANGER' });

    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: approving.connectionArn });
    await check(requestId);
    done = await inStatus(requestId, 'COMPLETED');
    // The last write's line is printed as the sandbox passes it on; give the event loop a moment.
    await eventually(async () => lines.filter((line) => line.includes(requestId.slice(0, 8))).length, (count) => count >= done.timeline.length, 'a line per step');
  }, 60_000);

  it('prints one readable line per step of the request: time, short id, step, status, message', () => {
    const mine = lines.filter((line) => line.split(/\s{2,}/)[1] === done.requestId.slice(0, 8));
    expect(mine).toHaveLength(done.timeline.length);
    mine.forEach((line, index) => {
      const entry = done.timeline[index]!;
      const [time, id, step, status, ...message] = line.split(/\s{2,}/);
      expect(time).toMatch(/^\d\d:\d\d:\d\d$/);
      expect(id).toBe(done.requestId.slice(0, 8));
      expect(step).toBe(entry.step);
      expect(status).toMatch(/^[A-Z_]+$/);
      expect(message.join('  ')).toBe(entry.message + (entry.actor === 'system' ? '' : ` (by ${entry.actor})`));
    });
    expect(mine[0]).toMatch(/ request +[A-Z_]+ +Requested a connection to https:\/\/terminal\.example\.com\. \(by alice@example\.com\)$/);
    expect(mine.at(-1)).toMatch(/ done +COMPLETED +The connection is ready\.$/);
    expect(mine.some((line) => / host-setup +WAITING_FOR_HOST_SETUP +Asked the GHES administrators for host arn:aws:/.test(line))).toBe(true);
  });

  it("prints no JSON: neither the functions' logs nor their metric lines", () => {
    const all = [...lines, ...printed.join('').split('\n')];
    expect(all.filter((line) => line.includes('"_aws"'))).toEqual([]);
    expect(all.filter((line) => line.trim().startsWith('{'))).toEqual([]);
  });

  it("shows a function's warning as one readable line", () => {
    const warnings = printed
      .join('')
      .split('\n')
      .filter((line) => line.includes('refused a Slack decision from someone who is not an approver'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\d\d:\d\d:\d\d {2}slackInteractions +WARN {3}refused a Slack decision from someone who is not an approver {2}.*userId=U0STRANGER/);
    expect(warnings[0]).toContain(`requestId=${done.requestId}`);
  });

  it('answers a click in the fake Slack briefly, with what the user saw and people by name', () => {
    expect(strangerAnswer).toEqual({ status: 200, elapsedMs: expect.any(Number), deliveryId: expect.any(String), shown: [expect.any(String)] });
    expect(strangerAnswer.shown[0]).toBe(
      'only visible to you: Only the approvers of https://terminal.example.com can decide this request; nothing was changed. Approvers: @Ada Approver @approvers @leads',
    );
  });
});
