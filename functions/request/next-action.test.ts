import { describe, expect, it } from 'vitest';
import { parseApproversConfig } from '../approval/approvers.ts';
import type { ConnectionRequestRecord, RequestStatus } from './model.ts';
import {
  CANCEL_HANDOFF_GRACE_SECONDS,
  handshakeStep,
  hostSetupStep,
  mustSentence,
  nextAction,
  nextActionSettings,
  ROLLBACK_STALLED_AFTER_SECONDS,
  waitingForPhrase,
  type NextActionSettings,
} from './next-action.ts';
import { readConfig } from '../shell/config.ts';
import { approvalRequestMessage, hostSetupMessage } from '../adapters/slack/messages.ts';
import { requestView } from './request-view.ts';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const SINCE = '2026-03-10T10:00:00.000Z';
const CONNECTION_ID = '6f1b2c3d-0000-4000-8000-000000000001';
const ARNS = {
  'codestar-connections': {
    host: 'arn:aws:codestar-connections:us-east-1:111111111111:host/ghe-example-com-0a1b2c3d',
    connection: `arn:aws:codestar-connections:us-east-1:111111111111:connection/${CONNECTION_ID}`,
  },
  codeconnections: {
    host: 'arn:aws:codeconnections:us-east-1:111111111111:host/ghe-example-com-0a1b2c3d',
    connection: `arn:aws:codeconnections:us-east-1:111111111111:connection/${CONNECTION_ID}`,
  },
} as const;
const CONSOLE = 'https://us-east-1.console.aws.amazon.com/codesuite/settings/111111111111/us-east-1';

const settings: NextActionSettings = {
  hostSetupTimeoutSeconds: 7 * 86_400,
  approvalTimeoutSeconds: 72 * 3600,
  hostAdminsChannel: 'C0HOSTADMINS',
  approversChannel: 'C0APPROVALS',
  approvers: parseApproversConfig(JSON.stringify({ default: { users: ['U0APPROVER'] } })),
  grantMode: 'inline-policy',
  // Most cases here are about an approver's part, which only explicit mode has.
  approvalMode: 'explicit',
};

const base: ConnectionRequestRecord = {
  requestId: 'r1',
  status: 'ACCEPTED',
  requester: { id: 'alice@example.com' },
  providerEndpoint: 'https://ghe.example.com',
  connectionName: 'ghe-payments',
  hostName: 'ghe-example-com',
  tags: {},
  region: 'us-east-1',
  createdAt: '2026-03-10T09:00:00.000Z',
  updatedAt: SINCE,
  timeline: [],
  revision: 1,
};

function record(status: RequestStatus, change: Partial<ConnectionRequestRecord> = {}): ConnectionRequestRecord {
  return { ...base, status, ...change };
}

const waitingForHost = (prefix: keyof typeof ARNS) =>
  record('WAITING_FOR_HOST_SETUP', {
    hostArn: ARNS[prefix].host,
    waitingFor: { what: 'x', who: 'GHES administrators (Slack C0HOSTADMINS)', link: 'https://stored.example/host', since: SINCE },
  });
const waitingForApproval = (prefix: keyof typeof ARNS) =>
  record('WAITING_FOR_APPROVAL', {
    hostArn: ARNS[prefix].host,
    connectionArn: ARNS[prefix].connection,
    waitingFor: { what: 'x', who: 'approvers (Slack C0APPROVALS)', link: 'https://stored.example/connection', since: SINCE },
  });

describe('nextAction: nobody has to act', () => {
  it.each(['ACCEPTED', 'PROVISIONING_HOST', 'CREATING_CONNECTION', 'VERIFYING_CONNECTION', 'ATTACHING_PIPELINE', 'COMPLETED', 'CANCELLED'] as const)(
    '%s (the system is working, or the request is done)',
    (status) => {
      expect(nextAction(record(status, { hostArn: ARNS.codeconnections.host, connectionArn: ARNS.codeconnections.connection }), settings, NOW)).toBeUndefined();
    },
  );

  it('ROLLING_BACK while the rollback runs, and right after a cancel, before it is handed over', () => {
    const tenMinutesAgo = new Date(NOW.getTime() - 600_000).toISOString();
    const rollingBack = record('ROLLING_BACK', { executionArn: 'arn:aws:states:us-east-1:111111111111:execution:provisioning:r1', updatedAt: tenMinutesAgo });
    expect(nextAction(rollingBack, settings, NOW)).toBeUndefined();
    const cancelledJustNow = record('ROLLING_BACK', { cancellation: { by: 'alice@example.com', at: new Date(NOW.getTime() - 5_000).toISOString() }, updatedAt: NOW.toISOString() });
    expect(nextAction(cancelledJustNow, settings, NOW)).toBeUndefined();
  });
});

describe('nextAction: host set-up', () => {
  it.each(['codestar-connections', 'codeconnections'] as const)('asks a GHES administrator to set up the %s host, on its console page, within 7 days', (prefix) => {
    expect(nextAction(waitingForHost(prefix), settings, NOW)).toEqual({
      stage: 'host-setup',
      actor: 'ghes-admin',
      message: 'A GitHub Enterprise Server administrator must choose "Set up host" in the AWS console for the host of https://ghe.example.com.',
      actionUrl: `${CONSOLE}/${prefix}/hosts/${encodeURIComponent(ARNS[prefix].host)}?region=us-east-1`,
      deadline: '2026-03-17T10:00:00.000Z',
    });
  });

  it('counts the deadline from the configured wait, and says a VPC host must finish initializing first', () => {
    const vpc = { vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd'], securityGroupIds: ['sg-0123abcd'] };
    const action = nextAction({ ...waitingForHost('codeconnections'), vpcConfiguration: vpc }, { ...settings, hostSetupTimeoutSeconds: 3600 }, NOW);
    expect(action?.deadline).toBe('2026-03-10T11:00:00.000Z');
    expect(action?.message).toBe(
      'A GitHub Enterprise Server administrator must choose "Set up host" in the AWS console for the host of https://ghe.example.com, ' +
        'once it has finished initializing its VPC configuration.',
    );
  });

  it('without waitingFor, counts from the timeline entry that asked, and falls back to the stored link without a host ARN', () => {
    const asked = { at: '2026-03-09T00:00:00.000Z', step: 'host-setup', actor: 'system', message: 'Asked the GHES administrators …' };
    expect(nextAction(record('WAITING_FOR_HOST_SETUP', { hostArn: ARNS.codeconnections.host, timeline: [asked] }), settings, NOW)?.deadline).toBe('2026-03-16T00:00:00.000Z');
    expect(nextAction(record('WAITING_FOR_HOST_SETUP'), settings, NOW)).toEqual({ stage: 'host-setup', actor: 'ghes-admin', message: expect.any(String) });
    expect(nextAction({ ...waitingForHost('codeconnections'), hostArn: undefined }, settings, NOW)?.actionUrl).toBe('https://stored.example/host');
  });

  it('is a platform administrator’s when nobody is asked in Slack to set up hosts', () => {
    expect(nextAction(waitingForHost('codestar-connections'), { ...settings, hostAdminsChannel: undefined }, NOW)).toMatchObject({
      stage: 'host-setup',
      actor: 'platform-admin',
      message:
        'Nobody is asked in Slack to set up hosts (SLACK_HOST_ADMINS_CHANNEL is not set): a platform administrator must have ' +
        'a GitHub Enterprise Server administrator choose "Set up host" in the AWS console for the host of https://ghe.example.com.',
      deadline: '2026-03-17T10:00:00.000Z',
    });
  });

  it('has no link for an ARN the console cannot be linked for, rather than failing the view', () => {
    const iso = record('WAITING_FOR_HOST_SETUP', { hostArn: 'arn:aws-iso:codeconnections:us-iso-east-1:111111111111:host/h-0a1b2c3d', waitingFor: { what: 'x', who: 'y', since: SINCE } });
    expect(nextAction(iso, settings, NOW)?.actionUrl).toBeUndefined();
  });
});

describe('nextAction: handshake and approval', () => {
  it.each(['codestar-connections', 'codeconnections'] as const)(
    'asks for the handshake on the %s connection’s console page and an approval, within the approval timeout',
    (prefix) => {
      expect(nextAction(waitingForApproval(prefix), settings, NOW)).toEqual({
        stage: 'handshake-and-approval',
        actor: 'approver',
        message: 'A GitHub organization owner must choose "Update pending connection" in the AWS console for connection ghe-payments, then an approver must approve it.',
        actionUrl: `${CONSOLE}/${prefix}/connections/${CONNECTION_ID}?region=us-east-1`,
        deadline: '2026-03-13T10:00:00.000Z',
      });
    },
  );

  it('counts the deadline from APPROVAL_TIMEOUT_SECONDS, and needs no Approve in handshake mode', () => {
    const action = nextAction(waitingForApproval('codeconnections'), { ...settings, approvalTimeoutSeconds: 600, approvalMode: 'handshake' }, NOW);
    expect(action).toMatchObject({
      actor: 'approver',
      message: 'A GitHub organization owner must choose "Update pending connection" in the AWS console for connection ghe-payments.',
      deadline: '2026-03-10T10:10:00.000Z',
    });
  });

  it('is a platform administrator’s when nobody is asked or nobody may approve the endpoint', () => {
    const nobodyAsked = nextAction(waitingForApproval('codeconnections'), { ...settings, approversChannel: undefined }, NOW);
    expect(nobodyAsked).toMatchObject({
      stage: 'handshake-and-approval',
      actor: 'platform-admin',
      message:
        'Nobody is asked in Slack to approve (SLACK_APPROVERS_CHANNEL is not set): a platform administrator must have a GitHub organization owner ' +
        'choose "Update pending connection" in the AWS console for connection ghe-payments, then approve it through the admin API.',
      actionUrl: `${CONSOLE}/codeconnections/connections/${CONNECTION_ID}?region=us-east-1`,
      deadline: '2026-03-13T10:00:00.000Z',
    });
    const otherEndpoint = parseApproversConfig(JSON.stringify({ 'https://other.example.com': { users: ['U0OTHER'] } }));
    expect(nextAction(waitingForApproval('codeconnections'), { ...settings, approvers: otherEndpoint }, NOW)?.message).toMatch(
      /^Nobody may approve https:\/\/ghe\.example\.com in Slack \(SLACK_APPROVERS names no approver for it\): a platform administrator must/,
    );
    expect(nextAction(waitingForApproval('codeconnections'), { ...settings, approvers: undefined }, NOW)).toMatchObject({ actor: 'platform-admin' });
    // In handshake mode nobody needs to click, so the approver list does not matter.
    expect(nextAction(waitingForApproval('codeconnections'), { ...settings, approvers: otherEndpoint, approvalMode: 'handshake' }, NOW)?.actor).toBe('approver');
  });

  it('escalation counts too: an escalation contact may approve', () => {
    const escalationOnly = parseApproversConfig(JSON.stringify({ default: { escalation: { userGroups: ['S0LEADS'] } } }));
    expect(nextAction(waitingForApproval('codeconnections'), { ...settings, approvers: escalationOnly }, NOW)?.actor).toBe('approver');
  });
});

describe('nextAction: pipeline permissions', () => {
  const finding = {
    roleArn: 'arn:aws:iam::111111111111:role/service-role/payments-pipeline',
    purpose: 'pipeline role',
    missing: [`codestar-connections:UseConnection on ${ARNS.codeconnections.connection}`],
    detail: 'An inline policy of the role explicitly denies it.',
  };

  it.each(['ATTACHING_PIPELINE', 'COMPLETED'] as const)('%s with a permission the broker may not grant: a platform administrator, on the role’s page', (status) => {
    expect(nextAction(record(status, { connectionArn: ARNS.codeconnections.connection, permissionFindings: [finding] }), settings, NOW)).toEqual({
      stage: 'pipeline-permissions',
      actor: 'platform-admin',
      message:
        'The pipeline role arn:aws:iam::111111111111:role/service-role/payments-pipeline lacks permission to use the connection, which the broker may not grant: ' +
        'a platform administrator must grant it (pipelineAttachment.missingPermissions says what and where).',
      actionUrl: 'https://console.aws.amazon.com/iam/home#/roles/details/payments-pipeline',
    });
  });

  it('a role or CodeBuild project the pipeline names that does not exist: the requester must fix the pipeline', () => {
    const noRole = { ...finding, detail: 'The role payments-pipeline does not exist, so the pipeline cannot run.' };
    expect(nextAction(record('COMPLETED', { permissionFindings: [noRole] }), settings, NOW)).toMatchObject({
      stage: 'pipeline-permissions',
      actor: 'requester',
      message:
        'The pipeline role arn:aws:iam::111111111111:role/service-role/payments-pipeline lacks permission to use the connection, as the pipeline names ' +
        'a role or CodeBuild project that does not exist: the requester must fix the pipeline (pipelineAttachment.missingPermissions says what and where).',
    });
  });

  it('with the tag-based grant a platform administrator must tag the role and install the one policy', () => {
    expect(nextAction(record('COMPLETED', { permissionFindings: [finding] }), { ...settings, grantMode: 'tag-based' }, NOW)).toMatchObject({
      stage: 'pipeline-permissions',
      actor: 'platform-admin',
      message: expect.stringContaining('must tag the role connection-broker:team=<team> and install the policy infra/iam/pipeline-role-use-tagged-connections.json on it'),
    });
  });

  it('with GRANT_PIPELINE_PERMISSIONS=false the requester must have them granted', () => {
    const second = { ...finding, roleArn: 'not a role', purpose: 'CodeBuild project build' };
    expect(nextAction(record('COMPLETED', { permissionFindings: [second, finding] }), { ...settings, grantMode: 'check-only' }, NOW)).toEqual({
      stage: 'pipeline-permissions',
      actor: 'requester',
      message:
        "2 of the pipeline's roles lack permission to use the connection: the requester must have it granted, as the broker only checks " +
        '(pipelineAttachment.missingPermissions says what and where).',
      actionUrl: 'https://console.aws.amazon.com/iam/home#/roles/details/payments-pipeline',
    });
  });
});

describe('nextAction: rollback', () => {
  const execution = 'arn:aws:states:us-east-1:111111111111:execution:connection-broker-local-provisioning:r1';
  const rollbackExecution = 'arn:aws:states:us-east-1:111111111111:execution:connection-broker-local-provisioning:cancel-r1';

  it('a rollback that has not finished within an hour is a platform administrator’s, on the execution’s page', () => {
    const stalledAt = new Date(NOW.getTime() - (ROLLBACK_STALLED_AFTER_SECONDS + 1) * 1000).toISOString();
    expect(nextAction(record('ROLLING_BACK', { executionArn: execution, updatedAt: stalledAt }), settings, NOW)).toEqual({
      stage: 'rollback',
      actor: 'platform-admin',
      message:
        'The rollback has not finished within an hour: a platform administrator must find out from its workflow execution why it stopped, and remove what the request created.',
      actionUrl: `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${execution}`,
    });
    const cancelled = record('ROLLING_BACK', {
      executionArn: execution,
      updatedAt: stalledAt,
      cancellation: { by: 'alice@example.com', at: stalledAt, rollbackExecutionArn: rollbackExecution },
    });
    expect(nextAction(cancelled, settings, NOW)?.actionUrl).toContain(`#/v2/executions/details/${rollbackExecution}`);
  });

  it('a cancel whose rollback could not be handed over: the requester must cancel again', () => {
    const at = new Date(NOW.getTime() - (CANCEL_HANDOFF_GRACE_SECONDS + 1) * 1000).toISOString();
    expect(nextAction(record('ROLLING_BACK', { cancellation: { by: 'alice@example.com', at }, updatedAt: at }), settings, NOW)).toEqual({
      stage: 'rollback',
      actor: 'requester',
      message: 'The rollback of this cancelled request could not be started: the requester must cancel it again.',
    });
  });
});

describe('nextAction: finished without a connection', () => {
  it('REJECTED: the requester settles it with the approvers and asks again', () => {
    expect(nextAction(record('REJECTED', { failure: { code: 'Rejected', message: 'Rejected by U0APPROVER' } }), settings, NOW)).toEqual({
      stage: 'new-request',
      actor: 'requester',
      message: 'An approver rejected the request: the requester must settle why with the approvers, and ask again if the connection is still needed.',
    });
  });

  it('TIMED_OUT: the requester finds the people who can act, and asks again', () => {
    expect(nextAction(record('TIMED_OUT', { failure: { code: 'HostSetupTimedOut', message: '…' } }), settings, NOW)?.message).toBe(
      'Nobody set up the host in time: the requester must find a GitHub Enterprise Server administrator of https://ghe.example.com who can, and ask again.',
    );
    expect(nextAction(record('TIMED_OUT', { failure: { code: 'ApprovalTimedOut', message: '…' } }), settings, NOW)).toEqual({
      stage: 'new-request',
      actor: 'requester',
      message: 'Nobody finished the handshake and approved in time: the requester must find a GitHub organization owner and an approver who can, and ask again.',
    });
  });

  it('FAILED for a reason in the request: the requester fixes it and asks again', () => {
    expect(nextAction(record('FAILED', { failure: { code: 'VpcInitializationFailed', message: '…' } }), settings, NOW)).toEqual({
      stage: 'new-request',
      actor: 'requester',
      message: 'The request failed and was rolled back (VpcInitializationFailed): the requester must fix what the failure says and ask again.',
    });
  });

  it.each(['AccessDeniedException', 'States.TaskFailed', 'HostInError', undefined])('FAILED with %s: a platform administrator first', (code) => {
    const failed = record('FAILED', code ? { failure: { code, message: '…' } } : {});
    expect(nextAction(failed, settings, NOW)).toEqual({
      stage: 'new-request',
      actor: 'platform-admin',
      message: `The request failed in the broker or its AWS account (${code ?? 'Unknown'}): a platform administrator must fix the cause before the requester asks again.`,
    });
  });
});

describe('the shared words', () => {
  it('say the same thing as a sentence and as what a request waits for', () => {
    const host = hostSetupStep({ providerEndpoint: 'https://ghe.example.com' });
    expect(mustSentence(host)).toBe('A GitHub Enterprise Server administrator must choose "Set up host" in the AWS console for the host of https://ghe.example.com.');
    expect(waitingForPhrase(host)).toBe('a GitHub Enterprise Server administrator to choose "Set up host" in the AWS console for the host of https://ghe.example.com');
    expect(waitingForPhrase(handshakeStep({ connectionName: 'c' }))).toBe(
      'a GitHub organization owner to choose "Update pending connection" in the AWS console for connection c, then an approver to approve it',
    );
  });

  it('are the Slack notices’ words, in either approval mode', () => {
    const requestId = '5f0c3a52-8d1e-4b7a-9c1f-2e3d4c5b6a70';
    const hostArn = ARNS.codeconnections.host;
    const hostNotice = hostSetupMessage({ requestId, requester: 'alice', providerEndpoint: base.providerEndpoint, hostName: base.hostName, hostArn, consoleUrl: 'https://x.example/h' });
    expect(hostNotice.text).toContain(nextAction(waitingForHost('codeconnections'), settings, NOW)!.message);
    for (const approvalMode of ['explicit', 'handshake'] as const) {
      const approvalNotice = approvalRequestMessage({
        approvalId: 'q8Xr2c1VwZk0d5nYbH3p9A',
        requestId,
        requester: 'alice',
        providerEndpoint: base.providerEndpoint,
        connectionName: base.connectionName,
        connectionArn: ARNS.codeconnections.connection,
        consoleUrl: 'https://x.example/c',
        region: 'us-east-1',
        approvalMode,
      });
      expect(approvalNotice.text).toContain(nextAction(waitingForApproval('codeconnections'), { ...settings, approvalMode }, NOW)!.message);
    }
  });
});

describe('a GitLab self-managed request', () => {
  const gitLab = (status: RequestStatus, change: Partial<ConnectionRequestRecord> = {}) =>
    record(status, { providerEndpoint: 'https://gitlab.example.com', providerType: 'GitLabSelfManaged', ...change });
  const saysGitHub = /GitHub|GHES/u;

  it('asks a GitLab administrator, as gitlab-admin, to set up its host', () => {
    const action = nextAction(gitLab('WAITING_FOR_HOST_SETUP', { hostArn: ARNS.codeconnections.host, waitingFor: { what: 'x', who: 'y', since: SINCE } }), settings, NOW);
    expect(action).toMatchObject({
      stage: 'host-setup',
      actor: 'gitlab-admin',
      message: 'A GitLab administrator must choose "Set up host" in the AWS console for the host of https://gitlab.example.com.',
      deadline: '2026-03-17T10:00:00.000Z',
    });
    expect(nextAction(gitLab('WAITING_FOR_HOST_SETUP'), { ...settings, hostAdminsChannel: undefined }, NOW)?.message).toBe(
      'Nobody is asked in Slack to set up hosts (SLACK_HOST_ADMINS_CHANNEL is not set): a platform administrator must have ' +
        'a GitLab administrator choose "Set up host" in the AWS console for the host of https://gitlab.example.com.',
    );
  });

  it('asks a GitLab project owner for the handshake, and then the approver', () => {
    expect(nextAction(gitLab('WAITING_FOR_APPROVAL', { connectionArn: ARNS.codeconnections.connection }), settings, NOW)).toMatchObject({
      stage: 'handshake-and-approval',
      actor: 'approver',
      message: 'A GitLab project owner must choose "Update pending connection" in the AWS console for connection ghe-payments, then an approver must approve it.',
    });
  });

  it('says GitLab, never GitHub, in every message and in its view', () => {
    const statuses: [RequestStatus, Partial<ConnectionRequestRecord>][] = [
      ['WAITING_FOR_HOST_SETUP', {}],
      ['WAITING_FOR_APPROVAL', {}],
      ['TIMED_OUT', { failure: { code: 'HostSetupTimedOut', message: '…' } }],
      ['TIMED_OUT', { failure: { code: 'ApprovalTimedOut', message: '…' } }],
    ];
    for (const [status, change] of statuses) {
      const message = nextAction(gitLab(status, change), { ...settings, hostAdminsChannel: undefined, approversChannel: undefined }, NOW)?.message ?? '';
      expect(message, status).toMatch(/GitLab/u);
      expect(message, status).not.toMatch(saysGitHub);
    }
    expect(nextAction(gitLab('TIMED_OUT', { failure: { code: 'HostSetupTimedOut', message: '…' } }), settings, NOW)?.message).toBe(
      'Nobody set up the host in time: the requester must find a GitLab administrator of https://gitlab.example.com who can, and ask again.',
    );
    const view = requestView(gitLab('WAITING_FOR_HOST_SETUP', { hostArn: ARNS.codeconnections.host }), settings, NOW);
    expect(view).toMatchObject({ providerType: 'GitLabSelfManaged', nextAction: { actor: 'gitlab-admin' } });
    // A record from before GitLab was supported has no providerType: it shows as GHES.
    expect(requestView(record('ACCEPTED'), settings, NOW).providerType).toBe('GitHubEnterpriseServer');
  });

  it('uses the words of its Slack notices', () => {
    const requestId = '5f0c3a52-8d1e-4b7a-9c1f-2e3d4c5b6a70';
    const facts = { requestId, requester: 'alice', providerEndpoint: 'https://gitlab.example.com', providerType: 'GitLabSelfManaged' as const };
    const hostNotice = hostSetupMessage({ ...facts, hostName: base.hostName, hostArn: ARNS.codeconnections.host, consoleUrl: 'https://x.example/h' });
    expect(hostNotice.text).toContain(nextAction(gitLab('WAITING_FOR_HOST_SETUP'), settings, NOW)!.message);
    const approvalNotice = approvalRequestMessage({
      ...facts,
      approvalId: 'q8Xr2c1VwZk0d5nYbH3p9A',
      connectionName: base.connectionName,
      connectionArn: ARNS.codeconnections.connection,
      consoleUrl: 'https://x.example/c',
      region: 'us-east-1',
      approvalMode: 'explicit',
    });
    expect(approvalNotice.text).toContain(nextAction(gitLab('WAITING_FOR_APPROVAL', { connectionArn: ARNS.codeconnections.connection }), settings, NOW)!.message);
  });
});

describe('nextActionSettings', () => {
  it('reads the waits, channels, approvers and grant mode from the configuration', () => {
    const config = readConfig({
      TABLE_NAME: 't',
      SLACK_HOST_ADMINS_CHANNEL: 'C0HOSTADMINS',
      SLACK_APPROVERS: JSON.stringify({ default: { users: ['U0APPROVER'] } }),
      APPROVAL_TIMEOUT_SECONDS: '7200',
      APPROVAL_REMINDER_AFTER_SECONDS: '600',
      APPROVAL_ESCALATE_AFTER_SECONDS: '3600',
      HOST_SETUP_TIMEOUT_SECONDS: '86400',
      GRANT_PIPELINE_PERMISSIONS: 'false',
      APPROVAL_MODE: 'explicit',
    });
    expect(nextActionSettings(config)).toEqual({
      hostSetupTimeoutSeconds: 86_400,
      approvalTimeoutSeconds: 7200,
      hostAdminsChannel: 'C0HOSTADMINS',
      approversChannel: undefined,
      approvers: parseApproversConfig(JSON.stringify({ default: { users: ['U0APPROVER'] } })),
      grantMode: 'check-only',
      approvalMode: 'explicit',
    });
    expect(nextActionSettings(readConfig({ TABLE_NAME: 't' }))).toMatchObject({
      hostSetupTimeoutSeconds: 7 * 86_400,
      approvalTimeoutSeconds: 72 * 3600,
      grantMode: 'inline-policy',
      approvalMode: 'handshake',
    });
    expect(nextActionSettings(readConfig({ TABLE_NAME: 't', SLACK_APPROVERS: 'not json' })).approvers).toBeUndefined();
  });
});

describe('nextAction: who acts, at the edges', () => {
  const missingRole = {
    roleArn: 'arn:aws:iam::111111111111:role/payments-pipeline',
    purpose: 'pipeline role',
    missing: [`codestar-connections:UseConnection on ${ARNS.codeconnections.connection}`],
    detail: 'An inline policy of the role explicitly denies it.',
  };

  it.each(['VpcInitializationFailed', 'ConnectionNameTaken', 'ConnectionNotAvailable', 'SourceActionNotFound', 'TriggerNotPossible', 'PipelineEditConflict', 'FirstRunSourceFailed'])(
    'FAILED with %s: the requester can fix it',
    (code) => {
      expect(nextAction(record('FAILED', { failure: { code, message: '…' } }), settings, NOW)).toMatchObject({ stage: 'new-request', actor: 'requester' });
    },
  );

  it('sends the requester to fix the pipeline when any one finding says something it names does not exist', () => {
    const noProject = { ...missingRole, roleArn: 'arn:aws:iam::111111111111:role/build', purpose: 'CodeBuild project build', detail: 'The CodeBuild project build does not exist.' };
    expect(nextAction(record('COMPLETED', { permissionFindings: [missingRole, noProject] }), settings, NOW)).toMatchObject({ stage: 'pipeline-permissions', actor: 'requester' });
    expect(nextAction(record('COMPLETED', { permissionFindings: [missingRole, { ...missingRole, roleArn: 'arn:aws:iam::111111111111:role/other' }] }), settings, NOW)).toMatchObject({
      actor: 'platform-admin',
    });
  });

  it('counts the approval deadline from the system’s approval entry on the timeline, not from other steps or people', () => {
    const timeline = [
      { at: '2026-03-09T00:00:00.000Z', step: 'host-setup', actor: 'system', message: 'asked' },
      { at: '2026-03-09T06:00:00.000Z', step: 'approval', actor: 'U0APPROVER', message: 'said something' },
      { at: '2026-03-10T00:00:00.000Z', step: 'approval', actor: 'system', message: 'asked' },
    ];
    const waiting = record('WAITING_FOR_APPROVAL', { connectionArn: ARNS.codeconnections.connection, timeline });
    expect(nextAction(waiting, settings, NOW)?.deadline).toBe('2026-03-13T00:00:00.000Z');
  });

  it('gives a cancel 30 seconds to hand over its rollback, and a rollback an hour, before anyone must act', () => {
    const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
    const cancelled = (seconds: number) => record('ROLLING_BACK', { cancellation: { by: 'alice@example.com', at: ago(seconds) }, updatedAt: NOW.toISOString() });
    expect(nextAction(cancelled(CANCEL_HANDOFF_GRACE_SECONDS), settings, NOW)).toBeUndefined();
    expect(nextAction(cancelled(CANCEL_HANDOFF_GRACE_SECONDS + 1), settings, NOW)?.actor).toBe('requester');
    const rolling = (seconds: number) => record('ROLLING_BACK', { updatedAt: ago(seconds) });
    expect(nextAction(rolling(ROLLBACK_STALLED_AFTER_SECONDS), settings, NOW)).toBeUndefined();
    expect(nextAction(rolling(ROLLBACK_STALLED_AFTER_SECONDS + 1), settings, NOW)?.actor).toBe('platform-admin');
  });
});
