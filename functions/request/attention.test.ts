import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requestView } from './request-view.ts';
import { attentionItems } from './attention.ts';
import { nextAction, type NextActionSettings } from './next-action.ts';
import type { ConnectionRequestRecord, PermissionFinding, RequestStatus } from './model.ts';
import { resetConfig } from '../shell/config.ts';
import type { SlackMessage } from '../adapters/slack/block-kit.ts';
import type { SlackClient } from '../adapters/slack/client.ts';
import { notifyOutcome } from '../workflow/notifications.ts';

// Issue 11, item 7: a request whose pipeline attach left actions needed ended COMPLETED, and the
// requester was told ":white_check_mark: … ready and attached". The view's `attention` and the final
// Slack message now say what is left.

const ROLE = 'arn:aws:iam::111111111111:role/service-role/codepipeline-payments';
const CONNECTION = 'arn:aws:codeconnections:us-east-1:111111111111:connection/6f1b2c3d-0000-4000-8000-000000000001';

const settings: NextActionSettings = {
  hostSetupTimeoutSeconds: 7 * 86_400,
  approvalTimeoutSeconds: 72 * 3600,
  hostAdminsChannel: 'C0HOSTADMINS',
  approversChannel: 'C0APPROVALS',
  approvers: undefined,
  grantMode: 'inline-policy',
  approvalMode: 'handshake',
};

const missingRole: PermissionFinding = {
  roleArn: ROLE,
  purpose: 'pipeline role',
  missing: [`codestar-connections:UseConnection on ${CONNECTION}`],
  detail: 'The role codepipeline-payments does not exist, so the pipeline cannot run.',
};
const refused: PermissionFinding = { ...missingRole, purpose: 'CodeBuild project build', detail: 'The broker may not change this role (denied).' };

function record(status: RequestStatus, change: Partial<ConnectionRequestRecord> = {}): ConnectionRequestRecord {
  return {
    requestId: 'r-attention',
    status,
    requester: { id: 'alice@example.com', slackUserId: 'U0ALICE' },
    providerEndpoint: 'https://ghe.example.com',
    connectionName: 'ghe-payments',
    hostName: 'ghe-example-com',
    connectionArn: CONNECTION,
    pipeline: { name: 'payments', fullRepositoryId: 'platform/payments', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
    tags: {},
    region: 'us-east-1',
    createdAt: '2026-03-10T09:00:00.000Z',
    updatedAt: '2026-03-10T10:00:00.000Z',
    timeline: [],
    revision: 1,
    ...change,
  };
}

describe('attentionItems', () => {
  it('is empty for a request that completed with everything in place, or without a pipeline', () => {
    expect(attentionItems(record('COMPLETED', { permissionFindings: [], firstRun: { how: 'started', status: 'SUCCEEDED' } }), settings)).toEqual([]);
    expect(attentionItems(record('COMPLETED', { pipeline: undefined }), settings)).toEqual([]);
  });

  it('names, per role, what is missing and who must act, in nextAction’s words', () => {
    const completed = record('COMPLETED', { permissionFindings: [missingRole, refused] });
    const items = attentionItems(completed, settings);
    expect(items.map(({ kind, actor }) => [kind, actor])).toEqual([
      ['pipeline-permissions', 'requester'],
      ['pipeline-permissions', 'platform-admin'],
    ]);
    expect(items[0]!.message).toContain(ROLE);
    expect(items[0]!.actionUrl).toMatch(/^https:\/\/.*iam.*codepipeline-payments/);
    // One finding: the same sentence as nextAction's, without the pointer to the view's field.
    const one = record('COMPLETED', { permissionFindings: [missingRole] });
    expect(nextAction(one, settings)!.message.startsWith(attentionItems(one, settings)[0]!.message.slice(0, -1))).toBe(true);
    // With grants off, the requester must have it granted.
    expect(attentionItems(record('COMPLETED', { permissionFindings: [refused] }), { grantMode: 'check-only' })[0]!.actor).toBe('requester');
  });

  it('lists a first run that did not fetch the source, but not one switched off by configuration', () => {
    const skipped = record('COMPLETED', {
      permissionFindings: [missingRole],
      firstRun: { how: 'skipped', status: 'SKIPPED', reason: `the pipeline role ${ROLE} lacks UseConnection; a run would fail` },
    });
    expect(attentionItems(skipped, settings).map((item) => item.kind)).toEqual(['pipeline-permissions', 'first-run']);
    const unfinished = record('COMPLETED', { firstRun: { how: 'started', status: 'IN_PROGRESS', pipelineExecutionId: 'e-1', lastError: 'AccessDenied' } });
    expect(attentionItems(unfinished, settings)).toEqual([expect.objectContaining({ kind: 'first-run', actor: 'requester', message: expect.stringContaining('e-1') })]);
    const off = record('COMPLETED', { firstRun: { how: 'skipped', status: 'SKIPPED', reason: 'the first run is switched off (FIRST_RUN=off)' } });
    expect(attentionItems(off, settings)).toEqual([]);
  });

  it('asks the requester to run a pipeline whose first run was skipped for no recorded reason', () => {
    const unexplained = record('COMPLETED', { firstRun: { how: 'skipped', status: 'SKIPPED' } });
    expect(attentionItems(unexplained, settings)).toEqual([expect.objectContaining({ kind: 'first-run', actor: 'requester' })]);
  });

  it('is empty before the request ends and for requests that ended without a connection', () => {
    for (const status of ['ATTACHING_PIPELINE', 'FAILED', 'CANCELLED'] as const) {
      expect(attentionItems(record(status, { permissionFindings: [missingRole] }), settings)).toEqual([]);
    }
  });

  it('is the request view’s attention field', () => {
    expect(requestView(record('COMPLETED', { permissionFindings: [missingRole] }), settings).attention).toHaveLength(1);
    expect(requestView(record('COMPLETED'), settings).attention).toEqual([]);
  });
});

describe('the requester’s final Slack message', () => {
  beforeAll(() => {
    vi.stubEnv('TABLE_NAME', 'connection-broker-test');
    resetConfig();
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    resetConfig();
  });

  async function outcomeFor(completed: ConnectionRequestRecord): Promise<SlackMessage> {
    const posted: SlackMessage[] = [];
    const slack = {
      postMessage: async (_channel: string, message: SlackMessage) => {
        posted.push(message);
        return { channel: 'D0ALICE', ts: '1.2' };
      },
    } as unknown as SlackClient;
    await notifyOutcome(completed, undefined, { slack });
    expect(posted).toHaveLength(1);
    return posted[0]!;
  }

  it('says the connection is ready but the pipeline needs action, naming what, when actions are left', async () => {
    const message = await outcomeFor(record('COMPLETED', { permissionFindings: [missingRole] }));
    expect(JSON.stringify(message)).not.toContain('white_check_mark');
    expect(message.text).toMatch(/is ready, but pipeline payments needs action/);
    expect(message.text).toContain(ROLE);
  });

  it('is the plain success line when nothing is left', async () => {
    const message = await outcomeFor(record('COMPLETED', { permissionFindings: [], firstRun: { how: 'started', status: 'SUCCEEDED' } }));
    expect(JSON.stringify(message)).toContain(':white_check_mark:');
    expect(message.text).toMatch(/is ready and attached to pipeline payments/);
  });
});
