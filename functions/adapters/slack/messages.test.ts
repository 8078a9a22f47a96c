import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Block, Button, SlackMessage } from './block-kit.ts';
import {
  APPROVE_ACTION_ID,
  approvalRequestMessage,
  CHECK_NOW_ACTION_ID,
  decisionMessage,
  hostSetupMessage,
  MessageInputError,
  duration,
  outcomeMessage,
  REJECT_ACTION_ID,
  reminderMessage,
  type ReminderFacts,
  type ApprovalRequestFacts,
  type HostSetupFacts,
  type RequestOutcome,
} from './messages.ts';
import { checkMessageContent } from '../../../infra/local/sandbox/services/slack/block-kit-rules.ts';

const APPROVAL_ID = 'q8Xr2c1VwZk0d5nYbH3p9A';
const TASK_TOKEN = `AQCEAAAAKgAAAAMAAAAAAAAAA${'x'.repeat(600)}`;

const REQUEST_ID = 'req-0001';

const approvalFacts: ApprovalRequestFacts = {
  approvalId: APPROVAL_ID,
  requestId: REQUEST_ID,
  requester: 'U0REQUESTER',
  providerEndpoint: 'https://ghe.example.com',
  connectionName: 'ghe-payments',
  connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/6f1b2c3d-0000-4000-8000-000000000001',
  consoleUrl:
    'https://us-east-1.console.aws.amazon.com/codesuite/settings/111111111111/us-east-1/codeconnections/connections/6f1b2c3d-0000-4000-8000-000000000001?region=us-east-1',
  region: 'us-east-1',
};

const hostFacts: HostSetupFacts = {
  requestId: 'req-0001',
  requester: 'alice@example.com',
  providerEndpoint: 'https://ghe.example.com',
  hostName: 'ghe-example-com',
  hostArn: 'arn:aws:codeconnections:us-east-1:111111111111:host/ghe-example-com-0a1b2c3d',
  consoleUrl: 'https://us-east-1.console.aws.amazon.com/codesuite/settings/111111111111/us-east-1/codeconnections/hosts/x?region=us-east-1',
};

const decidedAt = new Date('2026-03-01T12:34:56.000Z');

const MENTIONS = ['<@U0APPROVER>', '<!subteam^S0APPROVERS>'];

const reminderFacts: ReminderFacts = {
  requestId: 'req-0001',
  connectionName: 'ghe-payments',
  providerEndpoint: 'https://ghe.example.com',
  consoleUrl: approvalFacts.consoleUrl,
  waitedSeconds: 24 * 3600,
  approvers: MENTIONS,
};

const gitLabHostFacts: HostSetupFacts = { ...hostFacts, providerEndpoint: 'https://gitlab.example.com', hostName: 'gitlab-example-com', providerType: 'GitLabSelfManaged' };
const gitLabApprovalFacts: ApprovalRequestFacts = { ...approvalFacts, providerEndpoint: 'https://gitlab.example.com', providerType: 'GitLabSelfManaged' };

const OUTCOMES: RequestOutcome[] = [
  { kind: 'completed', connectionArn: approvalFacts.connectionArn, pipelineName: 'payments-service' },
  { kind: 'completed', connectionArn: approvalFacts.connectionArn },
  { kind: 'rejected', decidedBy: 'U0APPROVER' },
  { kind: 'expired' },
  { kind: 'failed', reason: 'The pipeline role could not be updated' },
  { kind: 'cancelled' },
  {
    kind: 'completed',
    connectionArn: approvalFacts.connectionArn,
    pipelineName: 'payments-service',
    attention: Array.from({ length: 7 }, (_, index) => `Role ${index} <lacks> permission to use the connection: ${'x'.repeat(500)}`),
  },
];

function everyMessage(): [string, SlackMessage][] {
  return [
    ['host set-up', hostSetupMessage(hostFacts)],
    ['approval request', approvalRequestMessage(approvalFacts)],
    ['approval request (explicit mode)', approvalRequestMessage({ ...approvalFacts, approvalMode: 'explicit' })],
    ['decision: approved', decisionMessage({ ...approvalFacts, outcome: 'approved', decidedBy: 'U0APPROVER', decidedAt })],
    ['decision: rejected', decisionMessage({ ...approvalFacts, outcome: 'rejected', decidedBy: 'U0APPROVER', decidedAt })],
    ['decision: expired', decisionMessage({ ...approvalFacts, outcome: 'expired', decidedAt })],
    ['decision: cancelled', decisionMessage({ ...approvalFacts, outcome: 'cancelled', reason: 'the request was cancelled', decidedAt })],
    ['approval request with approvers', approvalRequestMessage({ ...approvalFacts, approvers: MENTIONS })],
    ['escalation', approvalRequestMessage({ ...approvalFacts, approvers: MENTIONS, escalation: { waitedSeconds: 48 * 3600, mentions: ['<!subteam^S0LEADS>'] } })],
    [
      'escalation (explicit mode)',
      approvalRequestMessage({ ...approvalFacts, approvalMode: 'explicit', approvers: MENTIONS, escalation: { waitedSeconds: 48 * 3600, mentions: ['<!subteam^S0LEADS>'] } }),
    ],
    ['reminder', reminderMessage(reminderFacts)],
    ['GitLab host set-up', hostSetupMessage(gitLabHostFacts)],
    ['GitLab approval request (explicit mode)', approvalRequestMessage({ ...gitLabApprovalFacts, approvalMode: 'explicit' })],
    ['GitLab escalation', approvalRequestMessage({ ...gitLabApprovalFacts, approvers: MENTIONS, escalation: { waitedSeconds: 48 * 3600, mentions: ['<!subteam^S0LEADS>'] } })],
    ['GitLab reminder', reminderMessage({ ...reminderFacts, providerEndpoint: 'https://gitlab.example.com', providerType: 'GitLabSelfManaged' })],
    ...OUTCOMES.map((outcome): [string, SlackMessage] => [`outcome: ${outcome.kind}`, outcomeMessage({ ...approvalFacts, outcome })]),
  ];
}

function buttons(message: SlackMessage): Button[] {
  return message.blocks.flatMap((block: Block) => (block.type === 'actions' ? block.elements : []));
}

/** Every property name anywhere in a value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  return [];
}

function allText(message: SlackMessage): string {
  return JSON.stringify(message);
}

describe.each(everyMessage())('%s message', (_name, message) => {
  it('passes Slack’s Block Kit rules (as the fake Slack enforces them)', () => {
    expect(checkMessageContent(message.text, message.blocks)).toBeUndefined();
  });

  it('has a plain-text fallback, in which only people are mentioned (as Slack does, so it shows their names)', () => {
    expect(message.text.trim().length).toBeGreaterThan(20);
    expect(message.text.replace(/<@[UW][A-Z0-9]{2,20}>/g, '')).not.toMatch(/[<>]/);
  });

  it('has no field named token', () => {
    expect(keysOf(message).filter((key) => /token/i.test(key))).toEqual([]);
  });
});

describe('approvalRequestMessage', () => {
  const message = approvalRequestMessage(approvalFacts);
  const explicit = approvalRequestMessage({ ...approvalFacts, approvalMode: 'explicit' });

  it('by default (handshake mode) offers "Done — check now" with the request id, and Reject with the approval id; no Approve', () => {
    expect(buttons(message).map((button) => [button.action_id, button.value, button.style])).toEqual([
      [CHECK_NOW_ACTION_ID, REQUEST_ID, 'primary'],
      [REJECT_ACTION_ID, APPROVAL_ID, 'danger'],
    ]);
    expect(buttons(message)[0]!.text.text).toBe('Done — check now');
  });

  it('by default says the finished handshake is the approval, and that nobody needs to come back to approve', () => {
    expect(allText(message)).toContain('once the connection is Available, that is the approval');
    expect(allText(message)).not.toContain('choose *Approve*');
    expect(message.text).toContain('A GitHub organization owner must choose "Update pending connection" in the AWS console for connection ghe-payments. Region');
  });

  it('in explicit mode offers Approve and Reject buttons that carry the approval id and nothing else, and says to come back and approve', () => {
    const [approve, reject] = buttons(explicit);
    expect(buttons(explicit)).toHaveLength(2);
    expect(approve).toMatchObject({ action_id: APPROVE_ACTION_ID, value: APPROVAL_ID, style: 'primary' });
    expect(reject).toMatchObject({ action_id: REJECT_ACTION_ID, value: APPROVAL_ID, style: 'danger' });
    expect(allText(explicit)).toContain('Come back here and choose *Approve*');
    expect(explicit.text).toContain('then an approver must approve it');
  });

  it('puts the approval id nowhere but in the decision buttons’ values', () => {
    for (const [each, decisions] of [[message, 1], [explicit, 2]] as const) {
      expect(buttons(each).filter((button) => button.value === APPROVAL_ID)).toHaveLength(decisions);
      const withoutValues = JSON.stringify(each).split(`"value":"${APPROVAL_ID}"`).join('');
      expect(withoutValues).not.toContain(APPROVAL_ID);
    }
  });

  it('asks for confirmation before either decision, but not before a check, which decides nothing', () => {
    const [approve, reject] = buttons(explicit);
    expect(approve!.confirm).toMatchObject({ title: { text: 'Approve this connection?' }, confirm: { text: 'Approve' }, deny: { text: 'Cancel' } });
    expect(reject!.confirm).toMatchObject({ title: { text: 'Reject this request?' }, confirm: { text: 'Reject' }, style: 'danger' });
    expect(approve!.confirm!.text.text).toContain('Update pending connection');
    const [check, rejectByDefault] = buttons(message);
    expect(check!.confirm).toBeUndefined();
    expect(rejectByDefault!.confirm).toMatchObject({ title: { text: 'Reject this request?' } });
  });

  it('says who must act and where: a GitHub organization owner, "Update pending connection", the console link', () => {
    const text = allText(message);
    expect(text).toContain('organization owner');
    expect(text).toContain('Update pending connection');
    expect(text).toContain(`<${approvalFacts.consoleUrl}|ghe-payments>`);
    expect(text).toContain('us-east-1');
    expect(text).toContain('<@U0REQUESTER>');
    expect(message.text).toContain('Update pending connection');
  });

  it('refuses an approval id that is not an opaque short id, such as a task token', () => {
    expect(() => approvalRequestMessage({ ...approvalFacts, approvalId: TASK_TOKEN })).toThrow(MessageInputError);
    expect(() => approvalRequestMessage({ ...approvalFacts, approvalId: 'has space' })).toThrow(/approvalId/);
    expect(() => approvalRequestMessage({ ...approvalFacts, approvalId: '' })).toThrow(/approvalId/);
  });

  it('refuses a console URL that is not https', () => {
    expect(() => approvalRequestMessage({ ...approvalFacts, consoleUrl: 'javascript:alert(1)' })).toThrow(/consoleUrl/);
    expect(() => approvalRequestMessage({ ...approvalFacts, consoleUrl: 'http://example.com' })).toThrow(/consoleUrl/);
    expect(() => approvalRequestMessage({ ...approvalFacts, consoleUrl: 'https://x.example/a|label>' })).toThrow(/consoleUrl/);
    expect(() => approvalRequestMessage({ ...approvalFacts, consoleUrl: `https://x.example/${'a'.repeat(2000)}` })).toThrow(/consoleUrl/);
  });

  it('escapes values so they cannot forge links or mentions', () => {
    const hostile = approvalRequestMessage({
      ...approvalFacts,
      requester: '<!channel> & <https://evil.example|click>',
      connectionName: '<@U0BOSS>',
    });
    const text = allText(hostile);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil.example');
    expect(text).not.toContain('<@U0BOSS>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
  });
});

describe('hostSetupMessage', () => {
  const message = hostSetupMessage(hostFacts);

  it('tells a GHES administrator to choose "Set up host" in the console, with the link', () => {
    const text = allText(message);
    expect(text).toContain('site administrator');
    expect(text).toContain('Set up host');
    expect(text).toContain(`<${hostFacts.consoleUrl}|ghe-example-com>`);
    expect(text).toContain(hostFacts.hostArn);
    expect(message.text).toContain('Set up host');
  });

  it('has one button, "Done — check now", carrying the request id and nothing else', () => {
    expect(buttons(message)).toEqual([{ type: 'button', action_id: CHECK_NOW_ACTION_ID, text: expect.objectContaining({ text: 'Done — check now' }), style: 'primary', value: REQUEST_ID }]);
    expect(allText(message)).toContain('the broker notices within a minute');
  });

  it('refuses a request id that is not a plain id, such as a task token', () => {
    expect(() => hostSetupMessage({ ...hostFacts, requestId: TASK_TOKEN })).toThrow(MessageInputError);
    expect(() => hostSetupMessage({ ...hostFacts, requestId: 'has space' })).toThrow(/requestId/);
    expect(() => hostSetupMessage({ ...hostFacts, requestId: 'r1' })).toThrow(/requestId/);
  });
});

describe('the messages of a GitLab self-managed request', () => {
  const saysGitHub = /GitHub|GHES|organization owner/u;

  it('ask a GitLab administrator to set up the host with a GitLab token, and never say GitHub', () => {
    const message = hostSetupMessage(gitLabHostFacts);
    const text = allText(message);
    expect(text).toContain('Set up a GitLab self-managed host');
    expect(text).toContain('*administrator of https://gitlab.example.com*');
    expect(text).toContain('personal access token with the api and admin_mode scopes');
    expect(message.text).toBe(
      'A GitLab administrator must choose "Set up host" in the AWS console for the host of https://gitlab.example.com. Host gitlab-example-com, request req-0001.',
    );
    expect(text).not.toMatch(saysGitHub);
  });

  it('ask an owner of the GitLab project to authorize the connection, and never say GitHub', () => {
    for (const message of [
      approvalRequestMessage(gitLabApprovalFacts),
      approvalRequestMessage({ ...gitLabApprovalFacts, approvalMode: 'explicit', approvers: MENTIONS, escalation: { waitedSeconds: 48 * 3600, mentions: ['<!subteam^S0LEADS>'] } }),
    ]) {
      const text = allText(message);
      expect(text).toContain('*Who must act:* an *owner of the GitLab project on https://gitlab.example.com*');
      expect(text).toContain('authorize the connection with your GitLab account');
      expect(message.text).toContain('A GitLab project owner must choose "Update pending connection" in the AWS console for connection ghe-payments');
      expect(text).not.toMatch(saysGitHub);
    }
    expect(allText(approvalRequestMessage(gitLabApprovalFacts))).toContain('Approve a GitLab self-managed connection');
    const reminder = allText(reminderMessage({ ...reminderFacts, providerEndpoint: 'https://gitlab.example.com', providerType: 'GitLabSelfManaged' }));
    expect(reminder).toContain('A GitLab project owner must choose *Update pending connection*');
    expect(reminder).not.toMatch(saysGitHub);
  });

  it('leave the GHES messages as they were when no provider is given', () => {
    expect(allText(hostSetupMessage(hostFacts))).toContain('Set up a GitHub Enterprise Server host');
    expect(allText(approvalRequestMessage(approvalFacts))).toContain('an *organization owner of the GitHub organization on https://ghe.example.com*');
    expect(allText(reminderMessage(reminderFacts))).toContain('A GitHub organization owner must choose *Update pending connection*');
  });
});

describe('decisionMessage', () => {
  it('says who decided, when and what, without buttons', () => {
    const message = decisionMessage({ ...approvalFacts, outcome: 'approved', decidedBy: 'U0APPROVER', decidedAt });
    const text = allText(message);
    expect(text).toContain('*Approved* by <@U0APPROVER>');
    expect(text).toContain(`<!date^${decidedAt.getTime() / 1000}^`);
    expect(text).toContain('2026-03-01T12:34:56.000Z');
    expect(buttons(message)).toEqual([]);
    expect(message.text).toBe(
      'Approved by <@U0APPROVER> at 2026-03-01T12:34:56.000Z: connection ghe-payments to https://ghe.example.com. (request req-0001)',
    );
  });

  it('mentions a Slack user in the notification text too, and names anyone else as they are (escaped)', () => {
    expect(decisionMessage({ ...approvalFacts, outcome: 'approved', decidedBy: 'root@example.com', decidedAt }).text).toMatch(/^Approved by root@example\.com at /);
    expect(decisionMessage({ ...approvalFacts, outcome: 'approved', decidedBy: '<@U0FORGED>', decidedAt }).text).toMatch(/^Approved by &lt;@U0FORGED&gt; at /);
    expect(approvalRequestMessage(approvalFacts).text).toContain('requested by <@U0REQUESTER>. ');
  });

  it('reports a rejection and an expiry', () => {
    expect(decisionMessage({ ...approvalFacts, outcome: 'rejected', decidedBy: 'U0APPROVER', decidedAt }).text).toMatch(/^Rejected by <@U0APPROVER> at /);
    expect(decisionMessage({ ...approvalFacts, outcome: 'expired', decidedAt }).text).toMatch(/^Expired at .*nobody approved/);
    expect(decisionMessage({ ...approvalFacts, outcome: 'cancelled', reason: 'the request was cancelled', decidedAt }).text).toMatch(
      /^No longer needed at 2026-03-01T12:34:56\.000Z: connection ghe-payments .*\(the request was cancelled\)/,
    );
  });
});

describe('approvers and escalation on the approval request', () => {
  it('says who may approve, mentioning them', () => {
    const message = approvalRequestMessage({ ...approvalFacts, approvers: MENTIONS });
    expect(allText(message)).toContain('Who may approve: <@U0APPROVER> <!subteam^S0APPROVERS>');
  });

  it('posts the escalation as the same approval (same buttons, same id), saying how long it waited and whom it calls', () => {
    const message = approvalRequestMessage({ ...approvalFacts, escalation: { waitedSeconds: 48 * 3600, mentions: ['<!subteam^S0LEADS>'] } });
    expect(message.text).toMatch(/^Escalated after 48 hours without a decision\. Approval needed/);
    expect(allText(message)).toContain('Escalated: an approval is overdue');
    expect(allText(message)).toContain('*48 hours*. <!subteam^S0LEADS>, please decide');
    expect(buttons(message).map((button) => [button.action_id, button.value])).toEqual([[CHECK_NOW_ACTION_ID, REQUEST_ID], [REJECT_ACTION_ID, APPROVAL_ID]]);
    const explicit = approvalRequestMessage({ ...approvalFacts, approvalMode: 'explicit', escalation: { waitedSeconds: 48 * 3600, mentions: ['<!subteam^S0LEADS>'] } });
    expect(buttons(explicit).map((button) => [button.action_id, button.value])).toEqual([[APPROVE_ACTION_ID, APPROVAL_ID], [REJECT_ACTION_ID, APPROVAL_ID]]);
  });

  it('refuses mentions that are not user or user group ids (they would go into mrkdwn as they are)', () => {
    expect(() => approvalRequestMessage({ ...approvalFacts, approvers: ['<!channel>'] })).toThrow(MessageInputError);
    expect(() => reminderMessage({ ...reminderFacts, approvers: ['@here'] })).toThrow(MessageInputError);
  });
});

describe('reminderMessage', () => {
  const message = reminderMessage(reminderFacts);

  it('says how long it waited, mentions the approvers and links the console, without buttons of its own', () => {
    expect(message.text).toBe('Reminder: the connection ghe-payments to https://ghe.example.com has waited 24 hours for the handshake and an approval.');
    expect(allText(message)).toContain('<@U0APPROVER> <!subteam^S0APPROVERS>');
    expect(allText(message)).toContain(`<${approvalFacts.consoleUrl}|open the connection>`);
    expect(buttons(message)).toEqual([]);
  });
});

describe('duration', () => {
  it.each([
    [60, '1 minute'],
    [45 * 60, '45 minutes'],
    [3600, '1 hour'],
    [24 * 3600, '24 hours'],
    [72 * 3600, '3 days'],
    [73 * 3600, '73 hours'],
  ])('%i s reads "%s"', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});

describe('outcomeMessage', () => {
  it.each([
    [OUTCOMES[0]!, /is ready and attached to pipeline payments-service/],
    [OUTCOMES[2]!, /was rejected by <@U0APPROVER>\. What the broker created for it is being removed/],
    [OUTCOMES[3]!, /expired: nobody approved it in time/],
    [OUTCOMES[4]!, /failed: The pipeline role could not be updated/],
    [OUTCOMES[5]!, /was cancelled/],
  ])('tells the requester how it ended (%o)', (outcome, expected) => {
    expect(outcomeMessage({ ...approvalFacts, outcome }).text).toMatch(expected);
  });

  it('says a completed request whose pipeline needs action is not simply "ready and attached", and names what is left', () => {
    const attention = [
      'The pipeline role arn:aws:iam::111111111111:role/service-role/missing lacks permission to use the connection, as the pipeline names a role or CodeBuild project that does not exist: the requester must fix the pipeline.',
    ];
    const message = outcomeMessage({ ...approvalFacts, outcome: { kind: 'completed', connectionArn: approvalFacts.connectionArn, pipelineName: 'payments-service', attention } });
    const everything = JSON.stringify(message);
    expect(everything).not.toContain('white_check_mark');
    expect(message.text).not.toMatch(/ready and attached/);
    expect(message.text).toMatch(/is ready, but pipeline payments-service needs action/);
    expect(message.text).toContain(attention[0]);
    expect(everything).toContain(':warning:');
    expect(everything).toContain('role/service-role/missing');
    // No attention (or an empty one): the plain success line.
    for (const none of [undefined, []]) {
      const plain = outcomeMessage({ ...approvalFacts, outcome: { kind: 'completed', connectionArn: approvalFacts.connectionArn, pipelineName: 'payments-service', attention: none } });
      expect(JSON.stringify(plain)).toContain(':white_check_mark: Your connection');
    }
  });
});

describe('Block Kit limits hold for any input', () => {
  // Long, hostile and non-ASCII values: escaping may multiply lengths by five.
  const anyText = fc.string({ unit: fc.constantFrom('a', '&', '<', '>', '|', '*', 'é', '😀', ' ', '\n'), maxLength: 3000, size: 'max' });
  // Request ids are the API's UUIDs; a button refuses anything else (tested above).
  const anyRequestId = fc.uuid();
  const anyMode = fc.constantFrom('handshake' as const, 'explicit' as const);
  const anyHttpsUrl = fc.string({ unit: fc.constantFrom('a', '/', '?', '=', '&', '%', '#'), maxLength: 1900, size: 'max' }).map((path) => `https://x.example/${path}`);

  it('for the approval request', () => {
    fc.assert(
      fc.property(anyRequestId, anyMode, anyText, anyText, anyText, anyText, anyText, anyHttpsUrl, (requestId, approvalMode, requester, endpoint, name, arn, region, consoleUrl) => {
        const message = approvalRequestMessage({ approvalId: APPROVAL_ID, requestId, requester, providerEndpoint: endpoint, connectionName: name, connectionArn: arn, consoleUrl, region, approvalMode });
        expect(checkMessageContent(message.text, message.blocks)).toBeUndefined();
        expect(buttons(message).map((button) => button.value)).toEqual(approvalMode === 'explicit' ? [APPROVAL_ID, APPROVAL_ID] : [requestId, APPROVAL_ID]);
      }),
      { numRuns: 150 },
    );
  });

  it('for the escalation and the reminder, with many approvers', () => {
    const mentions = fc.array(fc.constantFrom('<@U0APPROVER>', '<!subteam^S0APPROVERS>', '<@W0GRIDUSER>'), { maxLength: 60 });
    fc.assert(
      fc.property(anyRequestId, anyMode, anyText, anyText, anyHttpsUrl, mentions, fc.nat({ max: 400 * 86_400 }), (requestId, approvalMode, endpoint, name, consoleUrl, approvers, waitedSeconds) => {
        const messages = [
          approvalRequestMessage({ ...approvalFacts, requestId, approvalMode, providerEndpoint: endpoint, connectionName: name, consoleUrl, approvers, escalation: { waitedSeconds, mentions: approvers } }),
          reminderMessage({ requestId, connectionName: name, providerEndpoint: endpoint, consoleUrl, waitedSeconds, approvers }),
        ];
        for (const message of messages) expect(checkMessageContent(message.text, message.blocks)).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  it('for the host set-up, decision and outcome messages', () => {
    fc.assert(
      fc.property(anyRequestId, anyText, anyText, anyText, anyHttpsUrl, (requestId, requester, endpoint, name, consoleUrl) => {
        const messages = [
          hostSetupMessage({ requestId, requester, providerEndpoint: endpoint, hostName: name, hostArn: name, consoleUrl }),
          decisionMessage({ requestId, connectionName: name, providerEndpoint: endpoint, outcome: 'rejected', decidedBy: requester, decidedAt }),
          outcomeMessage({ requestId, providerEndpoint: endpoint, connectionName: name, outcome: { kind: 'failed', reason: requester } }),
          outcomeMessage({ requestId, providerEndpoint: endpoint, connectionName: name, outcome: { kind: 'completed', connectionArn: name, pipelineName: requester } }),
        ];
        for (const message of messages) expect(checkMessageContent(message.text, message.blocks)).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });
});
